"""Report schedules: the form's validation and the daily task that emails each
schedule's month once (idempotent; a retry never emails twice)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opsdesk.analytics.reports import monthly, services
from opsdesk.analytics.reports.models import ReportDelivery, ReportSchedule
from opsdesk.analytics.reports.monthly import send_due_reports
from opsdesk.analytics.reports.tasks import send_due_reports_task

DAY = datetime.date(2026, 3, 5)


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


@pytest.fixture
def schedule(demo):
    return services.report_schedule_create(
        user=demo.user("headoffice"),
        region=demo.regions[0],
        recipients="ops@example.com, boss@example.com",
        day_of_month=5,
        language="en",
    )


def test_a_schedule_emails_the_previous_month_once(demo, schedule):
    assert send_due_reports(today=DAY - datetime.timedelta(days=1))["sent"] == 0
    assert mail.outbox == []

    assert send_due_reports(today=DAY) == {"month": "2026-02", "sent": 1, "failed": 0}
    (message,) = mail.outbox
    region = demo.regions[0]
    assert message.to == ["ops@example.com", "boss@example.com"]
    assert "2026-02" in message.subject and region.name in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        f"operations-{region.code}-2026-02.xlsx",
        f"operations-{region.code}-2026-02.pdf",
    ]
    assert message.attachments[1][1].startswith(b"%PDF")
    schedule.refresh_from_db()
    assert schedule.last_sent_month == datetime.date(2026, 2, 1)
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.month) == ("sent", datetime.date(2026, 2, 1))

    # The same day again, later days of the month, a retried task: nothing more.
    assert send_due_reports(today=DAY)["sent"] == 0
    assert send_due_reports(today=DAY + datetime.timedelta(days=20))["sent"] == 0
    assert len(mail.outbox) == 1
    # Next month: the next report.
    assert send_due_reports(today=datetime.date(2026, 4, 5))["sent"] == 1
    assert len(mail.outbox) == 2
    assert "2026-03" in mail.outbox[1].subject


def test_all_regions_in_one_email_and_inactive_schedules_are_skipped(demo, schedule):
    ReportSchedule.objects.filter(pk=schedule.pk).update(active=False)
    services.report_schedule_create(
        user=demo.user("headoffice"),
        region=None,
        recipients="all@example.com",
        day_of_month=1,
        language="zh-hans",
    )
    assert send_due_reports(today=DAY)["sent"] == 1
    (message,) = mail.outbox
    assert message.to == ["all@example.com"]
    assert len(message.attachments) == 2 * len(demo.regions)


def test_a_claimed_month_is_never_sent_again(demo, schedule):
    """A concurrent or killed run claimed the month: the retry sends nothing."""
    ReportDelivery.objects.create(schedule=schedule, month=datetime.date(2026, 2, 1))
    assert send_due_reports(today=DAY)["sent"] == 0
    assert monthly.schedule_send(schedule=schedule, month=datetime.date(2026, 2, 1)) is False
    assert mail.outbox == []


def test_a_failed_send_releases_the_month_for_the_next_run(demo, schedule, monkeypatch):
    from django.core.mail import EmailMessage

    original = EmailMessage.send

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailMessage, "send", broken)
    assert send_due_reports(today=DAY) == {"month": "2026-02", "sent": 0, "failed": 1}
    assert not ReportDelivery.objects.exists()
    monkeypatch.setattr(EmailMessage, "send", original)
    assert send_due_reports(today=DAY)["sent"] == 1
    assert len(mail.outbox) == 1


def test_the_task_runs_the_service(demo, schedule, monkeypatch):
    seen = []
    monkeypatch.setattr(monthly, "send_due_reports", lambda: seen.append(1) or {"sent": 0})
    assert send_due_reports_task.delay().get() == {"sent": 0}
    assert seen == [1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipients": "not-an-email"}, "Not a valid email address: not-an-email"),
        ({"recipients": " "}, "cannot be blank"),
        ({"recipients": ",;"}, "Enter at least one email address"),
        ({"day_of_month": 29}, "less than or equal to 28"),
        ({"day_of_month": 0}, "greater than or equal to 1"),
        ({"language": "fr"}, "not a valid choice"),
    ],
)
def test_service_validation(demo, changes, message):
    data = {
        "region": demo.regions[0],
        "recipients": "a@example.com",
        "day_of_month": 3,
        "language": "en",
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        services.report_schedule_create(user=demo.user("headoffice"), **data)
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize("username", ["regional", "manager", "staff"])
def test_only_head_office_schedules(demo, username):
    with pytest.raises(PermissionDenied):
        services.report_schedule_create(
            user=demo.user(username),
            region=demo.regions[0],
            recipients="a@example.com",
            day_of_month=3,
            language="en",
        )


# --- Pages ----------------------------------------------------------------------------------


def test_the_schedule_page_creates_edits_and_deletes(demo, client_as):
    client = client_as(demo.user("headoffice"))
    url = reverse("reports:schedule_list")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "region": demo.regions[1].pk,
            "recipients": "x@example.com\ny@example.com",
            "day_of_month": 2,
            "language": "zh-hans",
            "active": "on",
        },
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.recipient_list == ["x@example.com", "y@example.com"]
    assert (schedule.region, schedule.language, schedule.created_by) == (
        demo.regions[1],
        "zh-hans",
        demo.user("headoffice"),
    )
    edit = reverse("reports:schedule_edit", args=[schedule.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"region": "", "recipients": "z@example.com", "day_of_month": 9, "language": "en"}
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.region, schedule.day_of_month, schedule.active) == (None, 9, False)
    response = client.post(edit, {"recipients": "bad", "day_of_month": 40, "language": "en"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not a valid email address: bad" in html
    assert "less than or equal to 28" in html
    schedule.refresh_from_db()
    assert schedule.recipients == "z@example.com"
    response = client.post(reverse("reports:schedule_delete", args=[schedule.pk]))
    assert response.status_code == 302
    assert not ReportSchedule.objects.exists()


def test_an_invalid_schedule_form_changes_nothing(demo, client_as):
    response = client_as(demo.user("headoffice")).post(
        reverse("reports:schedule_list"),
        {"recipients": "a@example.com, nope", "day_of_month": "", "language": "en"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not a valid email address: nope" in html
    assert "This field is required" in html
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize("username", ["regional", "manager", "staff"])
def test_schedule_pages_are_head_office_only(demo, client_as, username, schedule):
    client = client_as(demo.user(username))
    assert client.get(reverse("reports:schedule_list")).status_code == 403
    assert client.get(reverse("reports:schedule_edit", args=[schedule.pk])).status_code == 403
    assert client.post(reverse("reports:schedule_delete", args=[schedule.pk])).status_code == 403
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()


def test_schedule_pages_anonymous_and_unknown(demo, client, client_as, schedule):
    for url in (
        reverse("reports:schedule_list"),
        reverse("reports:schedule_edit", args=[schedule.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    head = client_as(demo.user("headoffice"))
    assert head.get(reverse("reports:schedule_edit", args=[99999])).status_code == 404
