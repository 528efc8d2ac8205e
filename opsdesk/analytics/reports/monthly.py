"""The monthly operations report of one region, and its scheduled emails.

Contents, for a region and a month (every figure over the stores of the region that the
reader may see, read through the KPI and checklist selectors):

- every KPI the reader may read (``registry.kpis_for``) for the month against the month
  before and the same month last year: region roll-ups, always Σ numerators ÷ Σ
  denominators (``kpi_rollup``);
- the best and worst stores per KPI that month (direction from the KPI registry);
- checklist failures: the items failed most often, with the stores failing them;
- complaints, when the customers app provides ``customers.selectors.complaint_report``
  (it does not yet: the section is left out, never filled with made-up figures).

Rendered as an XLSX workbook (one sheet per section) or a PDF (reportlab).
"""

from __future__ import annotations

import calendar
import datetime
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.registry import Kpi
from opsdesk.analytics.kpis.selectors import kpi_data_as_of, kpi_rollup
from opsdesk.platform.roles import Role
from stores.access import ensure_region_in_scope, ensure_role
from stores.checklists import selectors as checklist_selectors
from stores.models import Region, Store

from .models import ReportDelivery, ReportSchedule
from .rules import MONTHLY_READERS

logger = logging.getLogger(__name__)

RANKED = 3  # best and worst stores shown per KPI
FAILED_ITEMS = 10


def first_of_month(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: datetime.date) -> datetime.date:
    return first_of_month(month - datetime.timedelta(days=1))


def same_month_last_year(month: datetime.date) -> datetime.date:
    return month.replace(year=month.year - 1)


def parse_month(value: str) -> datetime.date | None:
    """``YYYY-MM`` -> its first day, or None."""
    try:
        year, number = value.strip().split("-")
        if len(year) != 4 or len(number) != 2:
            return None
        return datetime.date(int(year), int(number), 1)
    except (ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Figure:
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    current: Figure | None
    previous: Figure | None
    last_year: Figure | None

    @staticmethod
    def _change(now: Figure | None, then: Figure | None) -> Decimal | None:
        if now is None or then is None or now.value is None or then.value is None:
            return None
        return now.value - then.value

    @property
    def change_vs_previous(self) -> Decimal | None:
        return self._change(self.current, self.previous)

    @property
    def change_vs_last_year(self) -> Decimal | None:
        return self._change(self.current, self.last_year)


@dataclass(frozen=True)
class Ranking:
    kpi: Kpi
    best: list[tuple[Store, Decimal]]
    worst: list[tuple[Store, Decimal]]


@dataclass(frozen=True)
class FailedItem:
    template: str
    prompt: str
    failures: int
    stores: int


@dataclass(frozen=True)
class ComplaintSection:
    """What a complaints selector gives the report: headline figures and a table."""

    figures: list[tuple[str, object]]
    header: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)


@dataclass(frozen=True)
class MonthlyReport:
    region: Region
    month: datetime.date
    stores: list[Store]
    kpis: list[KpiLine]
    rankings: list[Ranking]
    failed_items: list[FailedItem]
    complaints: ComplaintSection | None
    data_as_of: datetime.datetime | None
    generated_at: datetime.datetime

    @property
    def start(self) -> datetime.date:
        return self.month

    @property
    def end(self) -> datetime.date:
        return month_end(self.month)

    def region_name(self, language: str | None = None) -> str:
        language = language or translation.get_language() or ""
        if language.startswith("zh") and self.region.name_zh:
            return self.region.name_zh
        return self.region.name


class SystemReader:
    """The reader of a scheduled report: no person is signed in when beat sends it, and
    head office scheduled it for any region, so it reads with a chain-wide scope (like
    the nightly KPI job's system reads). Never used for a request."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    role = Role.HEAD_OFFICE
    pk = None


def _figure(rows: list[dict]) -> Figure | None:
    if not rows:
        return None
    row = rows[0]
    return Figure(row["numerator"], row["denominator"], row["value"])


def _ranking(kpi: Kpi, rows: list[dict], stores: dict[int, Store]) -> Ranking:
    valued = [(stores[r["key"]], r["value"]) for r in rows if r["value"] is not None]
    # Best first; equal values in store code order.
    if kpi.higher_is_better:
        valued.sort(key=lambda sv: (-sv[1], sv[0].code))
    else:
        valued.sort(key=lambda sv: (sv[1], sv[0].code))
    shown = min(RANKED, max(1, len(valued) // 2)) if valued else 0
    best = valued[:shown]
    worst = list(reversed(valued[-shown:])) if len(valued) > 1 else []
    return Ranking(kpi=kpi, best=best, worst=worst)


def failed_items(
    *, user, store_ids: list[int], start: datetime.date, end: datetime.date, limit: int
) -> list[FailedItem]:
    """The items failed most often in these stores over the dates (one query). The
    checklist selector ``most_failed_items`` counts over all the user's stores and a
    trailing window; the report needs one region and one calendar month
    (``failed_items_between``)."""
    rows = checklist_selectors.failed_items_between(
        user=user, store_ids=store_ids, start=start, end=end, limit=limit
    )
    zh = (translation.get_language() or "").startswith("zh")
    return [
        FailedItem(
            template=row["item__version__template__code"],
            prompt=(
                row["item__prompt_zh"] if zh and row["item__prompt_zh"] else row["item__prompt"]
            ),
            failures=row["failures"],
            stores=row["stores"],
        )
        for row in rows
    ]


def complaints_section(*, user, store_ids, start, end) -> ComplaintSection | None:
    """The complaints section, from ``customers.selectors.complaint_report(user=,
    store_ids=, start=, end=)`` returning a ``ComplaintSection`` (or a dict of its
    fields) once the customers app has one; None (section left out) until then."""
    try:
        from customers import selectors as customer_selectors
    except ImportError:
        return None
    provider = getattr(customer_selectors, "complaint_report", None)
    if provider is None:
        return None
    section = provider(user=user, store_ids=store_ids, start=start, end=end)
    if section is None or isinstance(section, ComplaintSection):
        return section
    return ComplaintSection(**section)


def monthly_report(*, user, region: Region, month: datetime.date) -> MonthlyReport:
    """Head office (any region) and regional ops (their regions); others 403, a region
    out of scope 404."""
    ensure_role(user, MONTHLY_READERS)
    ensure_region_in_scope(user, region)
    month = first_of_month(month)
    stores = list(
        Store.objects.visible_to(user)
        .filter(region=region)
        .select_related("region")
        .order_by("code")
    )
    by_id = {s.pk: s for s in stores}
    store_ids = list(by_id)
    periods = {
        "current": (month, month_end(month)),
        "previous": (previous_month(month), month_end(previous_month(month))),
        "last_year": (same_month_last_year(month), month_end(same_month_last_year(month))),
    }
    lines, rankings = [], []
    for kpi in registry.kpis_for(user):
        figures = {}
        for name, (start, end) in periods.items():
            rows = kpi_rollup(
                user=user, code=kpi.code, start=start, end=end, group="chain", store_ids=store_ids
            )
            figures[name] = _figure(rows)
        lines.append(KpiLine(kpi=kpi, **figures))
        per_store = kpi_rollup(
            user=user,
            code=kpi.code,
            start=month,
            end=month_end(month),
            group="store",
            store_ids=store_ids,
        )
        rankings.append(_ranking(kpi, per_store, by_id))
    return MonthlyReport(
        region=region,
        month=month,
        stores=stores,
        kpis=lines,
        rankings=rankings,
        failed_items=failed_items(
            user=user, store_ids=store_ids, start=month, end=month_end(month), limit=FAILED_ITEMS
        ),
        complaints=complaints_section(
            user=user, store_ids=store_ids, start=month, end=month_end(month)
        ),
        data_as_of=kpi_data_as_of(user=user, store_ids=store_ids),
        generated_at=timezone.now(),
    )


# --- Rendering ----------------------------------------------------------------------------


def _kpi_name(kpi: Kpi) -> str:
    if (translation.get_language() or "").startswith("zh") and kpi.name_zh:
        return kpi.name_zh
    return str(kpi.name)


def _value(figure: Figure | None):
    return figure.value if figure is not None else None


def _title(report: MonthlyReport) -> str:
    return _("Monthly operations report: %(region)s, %(month)s") % {
        "region": report.region_name(),
        "month": f"{report.month:%Y-%m}",
    }


def _kpi_header() -> list[str]:
    return [
        _("KPI"),
        _("Unit"),
        _("This month"),
        _("Last month"),
        _("Change"),
        _("Same month last year"),
        _("Change"),
        _("Numerator"),
        _("Denominator"),
    ]


def _kpi_rows(report: MonthlyReport) -> list[list]:
    return [
        [
            _kpi_name(line.kpi),
            line.kpi.unit,
            _value(line.current),
            _value(line.previous),
            line.change_vs_previous,
            _value(line.last_year),
            line.change_vs_last_year,
            line.current.numerator if line.current else None,
            line.current.denominator if line.current else None,
        ]
        for line in report.kpis
    ]


def _ranking_rows(report: MonthlyReport) -> list[list]:
    rows = []
    for ranking in report.rankings:
        for label, entries in ((_("Best"), ranking.best), (_("Worst"), ranking.worst)):
            for position, (store, value) in enumerate(entries, start=1):
                rows.append(
                    [_kpi_name(ranking.kpi), label, position, store.code, store.name, value]
                )
    return rows


def _failed_rows(report: MonthlyReport) -> list[list]:
    return [[i.template, i.prompt, i.failures, i.stores] for i in report.failed_items]


def render_xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .exports import _xlsx_text

    def text(value):
        return _xlsx_text(value) if isinstance(value, str) else value

    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append([text(_title(report))])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([text(_("Region")), text(report.region.code), text(report.region_name())])
    summary.append([text(_("Month")), f"{report.month:%Y-%m}"])
    summary.append([text(_("Stores")), len(report.stores)])
    as_of = (
        timezone.localtime(report.data_as_of).replace(tzinfo=None) if report.data_as_of else None
    )
    summary.append([text(_("Data as of")), as_of])
    summary.append([])
    summary.append([text(h) for h in _kpi_header()])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for row in _kpi_rows(report):
        summary.append([text(v) for v in row])

    sheets = [
        (
            _("Best and worst"),
            [_("KPI"), _("Rank"), _("Position"), _("Store"), _("Name"), _("Value")],
            _ranking_rows(report),
        ),
        (
            _("Checklist failures"),
            [_("Template"), _("Item"), _("Failures"), _("Stores")],
            _failed_rows(report),
        ),
    ]
    if report.complaints is not None:
        sheets.append((_("Complaints"), report.complaints.header, report.complaints.rows))
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        if title == _("Complaints") and report.complaints is not None:
            for label, value in report.complaints.figures:
                sheet.append([text(label), text(value)])
            sheet.append([])
        sheet.append([text(h) for h in header])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in rows:
            sheet.append([text(v) for v in row])
    workbook.properties.title = _title(report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def render_pdf(report: MonthlyReport) -> bytes:
    """A4 PDF. Chinese text uses reportlab's built-in CID font (STSong-Light), so no
    font file or system package is needed."""
    from xml.sax.saxutils import escape as xml_escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    zh = (translation.get_language() or "").startswith("zh")
    font = "Helvetica"
    if zh:
        font = "STSong-Light"
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(font))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = font
    body = styles["BodyText"]

    def para(value) -> Paragraph:
        return Paragraph(xml_escape(_fmt(value)), body)

    def table(header, rows) -> Table:
        data = [[para(h) for h in header], *[[para(v) for v in row] for row in rows]]
        result = Table(data, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    buffer = io.BytesIO()
    title = _title(report)
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="OpsDesk",
        subject=report.region_name(),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    story = [
        Paragraph(xml_escape(title), styles["Title"]),
        Paragraph(
            xml_escape(
                _("%(count)s stores · data as of %(as_of)s")
                % {
                    "count": len(report.stores),
                    "as_of": (
                        f"{timezone.localtime(report.data_as_of):%Y-%m-%d %H:%M}"
                        if report.data_as_of
                        else "—"
                    ),
                }
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("KPIs")), styles["Heading2"]),
        table(_kpi_header(), _kpi_rows(report)),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("Best and worst stores")), styles["Heading2"]),
        table(
            [_("KPI"), _("Rank"), _("Position"), _("Store"), _("Name"), _("Value")],
            _ranking_rows(report),
        ),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("Checklist failures")), styles["Heading2"]),
    ]
    if report.failed_items:
        story.append(
            table([_("Template"), _("Item"), _("Failures"), _("Stores")], _failed_rows(report))
        )
    else:
        story.append(para(_("No checklist item failed this month.")))
    if report.complaints is not None:
        story += [Spacer(1, 4 * mm), Paragraph(xml_escape(_("Complaints")), styles["Heading2"])]
        story += [para(f"{label}: {_fmt(value)}") for label, value in report.complaints.figures]
        if report.complaints.rows:
            story.append(table(report.complaints.header, report.complaints.rows))
    document.build(story)
    return buffer.getvalue()


def report_file_name(report: MonthlyReport, fmt: str) -> str:
    return f"operations-{report.region.code}-{report.month:%Y-%m}.{fmt}"


# --- Scheduled emails ---------------------------------------------------------------------


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


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
