"""Large exports as jobs: the redirect, the progress page, the owner-only download, the
API, the sweep, and a run that starts again from scratch."""

import datetime
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from opsdesk.analytics.reports import services
from opsdesk.analytics.reports.models import ExportJob
from opsdesk.analytics.reports.tasks import export_job_run_task, export_jobs_sweep_task
from stores.models import Store
from tests.reports.conftest import body, csv_rows, xlsx_rows


@pytest.fixture
def demo(reports_chain, db):
    return reports_chain


@pytest.fixture
def async_from_one_row(settings):
    settings.OPSDESK_EXPORT_ASYNC_ROWS = 1


def _start(client, django_capture_on_commit_callbacks, **query):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(reverse("reports:export"), query)


def test_a_large_export_becomes_a_job_and_its_owner_downloads_it(
    demo, client_as, async_from_one_row, django_capture_on_commit_callbacks
):
    head = demo.user("headoffice")
    client = client_as(head)
    response = _start(client, django_capture_on_commit_callbacks, dataset="stores", format="csv")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    assert (job.user, job.dataset, job.format, job.status) == (head, "stores", "csv", "done")
    assert job.rows_done == job.rows_total == Store.objects.count()
    assert job.attempts == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("reports:job_download", args=[job.pk]) in html
    assert 'value="100"' in html

    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="stores-')
    _header, *rows = csv_rows(body(download))
    assert len(rows) == Store.objects.count()
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018  (private storage: no public URL)


def test_the_job_keeps_the_filters_and_the_scope(
    demo, client_as, async_from_one_row, django_capture_on_commit_callbacks
):
    regional = demo.user("regional")
    client = client_as(regional)
    _start(
        client,
        django_capture_on_commit_callbacks,
        dataset="stores",
        format="xlsx",
        status="open",
        page="3",
    )
    job = ExportJob.objects.get()
    assert job.params == {"status": ["open"]}
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    _header, *rows = xlsx_rows(body(download))
    own = {s.code for s in demo.stores_of_region(demo.regions[0]) if s.status == Store.Status.OPEN}
    assert {r[0] for r in rows} == own


@pytest.mark.parametrize("username", ["regional", "manager", "staff"])
def test_another_users_job_is_not_found(demo, client_as, username):
    head = demo.user("headoffice")
    job = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    services.export_job_run(job_id=job.pk)
    other = client_as(demo.user(username))
    for route in ("reports:job_detail", "reports:job_download"):
        assert other.get(reverse(route, args=[job.pk])).status_code == 404


def test_head_office_does_not_see_another_head_office_users_job(demo, client_as):
    from django.contrib.auth import get_user_model

    head = demo.user("headoffice")
    job = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    colleague = get_user_model().objects.create_user("colleague", password="x", role="head_office")
    client = client_as(colleague)
    assert client.get(reverse("reports:job_detail", args=[job.pk])).status_code == 404
    assert job.pk not in [
        j["id"] for j in client.get(reverse("reports-api:export-list")).json()["results"]
    ]


def test_anonymous_is_sent_to_login(demo, client):
    job = services.export_job_create(
        user=demo.user("headoffice"), dataset="stores", fmt="csv", params={}
    )
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_progress_bar_polls_while_the_job_runs(demo, client_as):
    head = demo.user("headoffice")
    job = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=3, rows_total=12)
    client = client_as(head)
    partial = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "3 of 12 rows" in html
    assert 'value="25"' in html
    assert "HX-Refresh" not in partial
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404

    services.export_job_run(job_id=job.pk)  # the "running" job is taken up again
    partial = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert "every 1s" not in partial.content.decode()


def test_a_redelivered_job_starts_again_from_scratch(demo):
    """A run killed mid-way leaves a partial temporary file and a "running" job; the
    redelivery removes the partial file, writes a new one, replaces atomically."""
    head = demo.user("headoffice")
    job = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, rows_done=5)
    temp_dir = services._temp_dir()
    partial = os.path.join(temp_dir, f"export-{job.pk}-dead.csv")
    with open(partial, "wb") as handle:
        handle.write(b"half a file")

    assert export_job_run_task.delay(job.pk).get()["status"] == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert not os.path.exists(partial)
    assert os.listdir(temp_dir) == []
    with job.file.open("rb") as handle:
        rows = csv_rows(handle.read())
    assert len(rows) == 1 + Store.objects.count()

    # Delivered once more after success: nothing changes.
    name = job.file.name
    assert export_job_run_task.delay(job.pk).get()["status"] == "done"
    job.refresh_from_db()
    assert (job.file.name, job.attempts) == (name, 2)


def test_a_failing_job_records_its_error(demo, monkeypatch):
    from opsdesk.analytics.reports import exports

    head = demo.user("headoffice")
    job = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_prepared", boom)
    with pytest.raises(RuntimeError):
        services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "RuntimeError" in job.error
    assert not job.file
    assert os.listdir(services._temp_dir()) == []


def test_the_sweep_deletes_old_files_only(demo, settings):
    settings.OPSDESK_EXPORT_KEEP_DAYS = 7
    head = demo.user("headoffice")
    old = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    new = services.export_job_create(user=head, dataset="stores", fmt="csv", params={})
    services.export_job_run(job_id=old.pk)
    services.export_job_run(job_id=new.pk)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    old.refresh_from_db()
    path = old.file.path
    assert os.path.exists(path)

    assert export_jobs_sweep_task.delay().get() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.file.name) == ("expired", "")
    assert not os.path.exists(path)
    assert new.status == "done" and os.path.exists(new.file.path)
    assert export_jobs_sweep_task.delay().get() == 0  # idempotent


# --- API ---------------------------------------------------------------------------------


def test_api_starts_a_job_and_reports_its_status(demo, api_as, django_capture_on_commit_callbacks):
    manager = demo.user("manager")
    api = api_as(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("reports-api:export-list"),
            {"dataset": "stock_levels", "format": "csv", "params": {}},
            format="json",
        )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    status = api.get(reverse("reports-api:export-detail", args=[job_id])).json()
    assert status["status"] == "done"
    assert status["rows_done"] == status["rows_total"] > 0
    assert status["download_url"].endswith(reverse("reports-api:export-download", args=[job_id]))
    download = api.get(status["download_url"])
    assert download.status_code == 200
    _header, *rows = csv_rows(body(download))
    assert {r[0] for r in rows} == {"SH001"}

    other = api_as(demo.user("headoffice"))
    assert other.get(reverse("reports-api:export-detail", args=[job_id])).status_code == 404
    assert other.get(reverse("reports-api:export-download", args=[job_id])).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"dataset": "nope", "format": "csv"},
        {"dataset": "stores", "format": "pdf"},
        {"dataset": "stores", "format": "csv", "params": {"status": "sleeping"}},
        {"dataset": "stores", "format": "csv", "params": {"status": {"a": 1}}},
    ],
)
def test_api_refuses_a_bad_request_and_creates_nothing(demo, api_as, payload):
    response = api_as(demo.user("headoffice")).post(
        reverse("reports-api:export-list"), payload, format="json"
    )
    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def test_api_anonymous_is_refused(demo, api_client):
    assert api_client.get(reverse("reports-api:export-list")).status_code == 401
    assert (
        api_client.post(
            reverse("reports-api:export-list"), {"dataset": "stores", "format": "csv"}
        ).status_code
        == 401
    )
