"""/api/v1/exports/: what the OpenAPI contract run (tests/contract) found, as regression
tests. The export jobs themselves are tested in test_jobs.py and test_worker.py."""

import pytest
from django.urls import reverse

from opsdesk.analytics.reports.models import ExportJob


def test_export_bodies_are_json_only(demo, api_as):
    api = api_as(demo.user("headoffice"))
    response = api.post(reverse("reports-api:export-list"), {"dataset": "stores", "format": "csv"})
    assert response.status_code == 415


@pytest.mark.parametrize(
    "params",
    [
        {"store": {"nested": 1}},
        {"status": [["open"]]},
        {"store": None},
        {"search": "a\x00b"},
    ],
)
def test_filters_are_values_or_lists_of_values(demo, api_as, params):
    api = api_as(demo.user("headoffice"))
    response = api.post(
        reverse("reports-api:export-list"),
        {"dataset": "stores", "format": "csv", "params": params},
        format="json",
    )
    assert response.status_code == 400 and "params" in response.json()
    assert not ExportJob.objects.exists()


def test_a_filter_name_with_a_nul_names_no_filter(demo, api_as):
    """Unknown filters are ignored; one whose name has a NUL (which PostgreSQL's jsonb
    could not store) is left out of the job's parameters."""
    api = api_as(demo.user("headoffice"))
    response = api.post(
        reverse("reports-api:export-list"),
        {"dataset": "stores", "format": "csv", "params": {"se\x00arch": "a", "search": "SH"}},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    assert ExportJob.objects.get().params == {"search": ["SH"]}


def test_a_valid_export_starts(demo, api_as):
    api = api_as(demo.user("headoffice"))
    response = api.post(
        reverse("reports-api:export-list"),
        {"dataset": "stores", "format": "csv", "params": {"status": ["open"], "search": "SH"}},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_a_kpi_table_export_without_a_period_takes_the_last_30_days(demo, api_as):
    api = api_as(demo.user("headoffice"))
    response = api.post(
        reverse("reports-api:export-list"),
        {"dataset": "kpi_table", "format": "csv", "params": {"unrelated": "x"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["params"]["period"] in ("30d", ["30d"])
