"""Every reports page and endpoint for every role: anonymous, no role, store staff,
store manager, regional ops in and out of scope, head office, admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from opsdesk.analytics.reports import services
from tests.reports.conftest import body, xlsx_rows

ROLES = ["staff", "manager", "regional", "headoffice", "admin"]
MONTHLY = {"regional", "headoffice", "admin"}


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


@pytest.fixture
def norole(db):
    return get_user_model().objects.create_user("norole-reports", password="x")


@pytest.mark.parametrize("username", ROLES)
def test_every_role_exports_and_lists_its_jobs(demo, client_as, username):
    client = client_as(demo.user(username))
    response = client.get(reverse("reports:export"), {"dataset": "stores", "format": "csv"})
    assert response.status_code == 200
    assert client.get(reverse("reports:job_list")).status_code == 200
    assert client.get(reverse("reports-api:export-list")).status_code == 200


def test_no_role_and_anonymous_are_refused(demo, client, client_as, norole):
    for name in ("reports:export", "reports:job_list", "reports:monthly"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    signed_in = client_as(norole)
    for name in ("reports:export", "reports:job_list", "reports:monthly", "reports:schedule_list"):
        assert signed_in.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("username", ROLES)
def test_job_routes_in_and_out_of_scope(demo, client_as, api_as, username, norole):
    user = demo.user(username)
    own = services.export_job_create(user=user, dataset="stores", fmt="csv", params={})
    services.export_job_run(job_id=own.pk)
    others = services.export_job_create(
        user=demo.user("manager" if username != "manager" else "staff"),
        dataset="stores",
        fmt="csv",
        params={},
    )
    services.export_job_run(job_id=others.pk)
    client, api = client_as(user), api_as(user)
    pages = ("reports:job_detail", "reports:job_download")
    endpoints = ("reports-api:export-detail", "reports-api:export-download")
    for name in pages:
        assert client.get(reverse(name, args=[own.pk])).status_code == 200
        assert client.get(reverse(name, args=[others.pk])).status_code == 404
    for name in endpoints:
        assert api.get(reverse(name, args=[own.pk])).status_code == 200
        assert api.get(reverse(name, args=[others.pk])).status_code == 404
    anonymous_api = api_as(norole)
    for name in endpoints:
        assert anonymous_api.get(reverse(name, args=[own.pk])).status_code == 403


def test_job_routes_anonymous(demo, client, api_client):
    job = services.export_job_create(
        user=demo.user("headoffice"), dataset="stores", fmt="csv", params={}
    )
    for name in ("reports:job_detail", "reports:job_download"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 302
    for name in ("reports-api:export-detail", "reports-api:export-download"):
        assert api_client.get(reverse(name, args=[job.pk])).status_code == 401


@pytest.mark.parametrize("username", ROLES)
def test_monthly_report_page_by_role(demo, client_as, username):
    client = client_as(demo.user(username))
    url = reverse("reports:monthly")
    response = client.get(url)
    if username not in MONTHLY:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    own = demo.regions[0]
    other = demo.regions[1]
    month = datetime.date.today().strftime("%Y-%m")
    response = client.get(url, {"region": own.code, "month": month, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="operations-{own.code}-{month}.xlsx"'
    )
    assert own.name in xlsx_rows(body(response))[0][0]
    response = client.get(url, {"region": own.code, "month": month, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # Another region: regional ops may not choose it (refused like an unknown region).
    response = client.get(url, {"region": other.code, "month": month, "format": "pdf"})
    assert response.status_code == (400 if username == "regional" else 200)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"region": "EC", "month": "2026-13", "format": "pdf"}, "YYYY-MM"),
        ({"region": "NOPE", "month": "2026-02", "format": "pdf"}, "Select a valid choice"),
        ({"region": "EC", "month": "2026-02", "format": "doc"}, "Select a valid choice"),
        ({"month": "2026-02"}, "This field is required"),
    ],
)
def test_monthly_report_bad_input(demo, client_as, query, message):
    query = {**query}
    if query.get("region") == "EC":
        query["region"] = demo.regions[0].code
    response = client_as(demo.user("headoffice")).get(reverse("reports:monthly"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("username", ["headoffice", "admin"])
def test_schedule_pages_for_head_office_and_admin(demo, client_as, username):
    client = client_as(demo.user(username))
    assert client.get(reverse("reports:schedule_list")).status_code == 200
    schedule = services.report_schedule_create(
        user=demo.user(username),
        region=None,
        recipients="a@example.com",
        day_of_month=1,
        language="en",
    )
    assert client.get(reverse("reports:schedule_edit", args=[schedule.pk])).status_code == 200


def test_the_reports_pages_link_to_each_other(demo, client_as):
    html = client_as(demo.user("headoffice")).get(reverse("reports:job_list")).content.decode()
    assert reverse("reports:monthly") in html and reverse("reports:schedule_list") in html
    html = client_as(demo.user("manager")).get(reverse("reports:job_list")).content.decode()
    assert reverse("reports:monthly") not in html
