"""Scheduled monthly reports: which month is due, and the emails."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stores.models import Region

from ..models import ReportDelivery, ReportSchedule
from .data import MonthlyReport, SystemReader, first_of_month, monthly_report, previous_month
from .pdf import render_pdf
from .xlsx import XLSX_TYPE, render_xlsx

logger = logging.getLogger(__name__)


def report_file_name(report: MonthlyReport, fmt: str) -> str:
    return f"operations-{report.region.code}-{report.month:%Y-%m}.{fmt}"


def due_month(today: datetime.date) -> datetime.date:
    """A schedule sends the report of the month before the current one."""
    return previous_month(first_of_month(today))


def send_due_reports(*, today: datetime.date | None = None) -> dict:
    """Daily (beat): every active schedule whose day of the month has come and whose
    previous month is not sent yet gets one email. Idempotent: the month is claimed in
    ``ReportDelivery`` before sending, so a retried or concurrent run never sends twice."""
    today = today or timezone.localdate()
    month = due_month(today)
    sent, failed = 0, 0
    due = (
        ReportSchedule.objects.filter(active=True, day_of_month__lte=today.day)
        .exclude(deliveries__month=month)
        .select_related("region")
        .order_by("pk")
    )
    for schedule in due:
        try:
            if schedule_send(schedule=schedule, month=month):
                sent += 1
        except Exception:
            failed += 1
            logger.exception("monthly report schedule %s for %s failed", schedule.pk, month)
    return {"month": f"{month:%Y-%m}", "sent": sent, "failed": failed}


def schedule_send(*, schedule: ReportSchedule, month: datetime.date) -> bool:
    """Send one schedule's month; False when it was already claimed (sent or sending).
    A failure releases the claim (the next daily run tries again) and is raised."""
    try:
        with transaction.atomic():
            delivery = ReportDelivery.objects.create(
                schedule=schedule, month=month, recipients=schedule.recipients
            )
    except IntegrityError:
        return False
    try:
        with translation.override(schedule.language):
            message = _schedule_message(schedule, month)
            message.send(fail_silently=False)
    except Exception:
        delivery.delete()
        raise
    now = timezone.now()
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=ReportDelivery.Status.SENT, sent_at=now
    )
    ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_month=month)
    return True


def _schedule_message(schedule: ReportSchedule, month: datetime.date) -> EmailMessage:
    reader = SystemReader()
    regions = [schedule.region] if schedule.region_id else list(Region.objects.order_by("code"))
    names = ", ".join(
        r.name_zh if schedule.language.startswith("zh") and r.name_zh else r.name for r in regions
    )
    subject = _("Monthly operations report %(month)s: %(regions)s") % {
        "month": f"{month:%Y-%m}",
        "regions": names,
    }
    body = _(
        "Attached: the monthly operations report of %(month)s for %(regions)s, as XLSX and PDF."
        "\n\nThis email is sent by OpsDesk on day %(day)s of each month."
    ) % {"month": f"{month:%Y-%m}", "regions": names, "day": schedule.day_of_month}
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=schedule.recipient_list,
    )
    for region in regions:
        report = monthly_report(user=reader, region=region, month=month)
        message.attach(report_file_name(report, "xlsx"), render_xlsx(report), XLSX_TYPE)
        message.attach(report_file_name(report, "pdf"), render_pdf(report), "application/pdf")
    return message
