"""The KPI API: values, roll-ups and the registry, scoped, strict about parameters."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.kpis.selectors import kpi_rollup
from stores.models import Region, Store
from tests.dashboards.conftest import DOWN, UP, add_fact, registered_test_kpis, seed_facts

pytestmark = pytest.mark.django_db

_test_kpis = pytest.fixture(registered_test_kpis, name="test_kpis")


@pytest.fixture
def facts(demo, test_kpis):
    """Hand-written facts of two test KPIs (see tests/dashboards/conftest.py)."""
    return seed_facts(test_kpis)


VALUES = reverse("kpis-api:value-list")
ROLLUPS = reverse("kpis-api:rollup-list")
DEFINITIONS = reverse("kpis-api:definition-list")


def test_anonymous_is_refused(api_client, demo):
    for url in (VALUES, ROLLUPS, DEFINITIONS):
        assert api_client.get(url).status_code == 401


def test_norole_is_refused(api_as, demo):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x")
    for url in (VALUES, ROLLUPS, DEFINITIONS):
        assert api_as(nobody).get(url).status_code == 403


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff", "admin"])
def test_values_are_scoped(api_as, demo, facts, username):
    user = demo.user(username)
    body = api_as(user).get(VALUES, {"page_size": 500}).json()
    visible = set(Store.objects.visible_to(user).values_list("pk", flat=True))
    stores = {row["store"] for row in body["results"]}
    assert stores and stores <= visible
    assert body["count"] == KpiFact.objects.filter(store_id__in=visible).count()
    row = next(r for r in body["results"] if r["code"] == UP.code)
    fact = KpiFact.objects.get(
        store_id=row["store"], business_date=row["business_date"], code=UP.code
    )
    assert Decimal(row["value"]) == fact.value and Decimal(row["numerator"]) == fact.numerator
    expected = "green" if fact.value >= 50 else "amber" if fact.value >= 30 else "red"
    assert row["rag"] == expected


def test_value_filters(api_as, demo, facts):
    api = api_as(demo.user("headoffice"))
    store = facts["stores"][0]
    day = facts["days"][1]
    body = api.get(VALUES, {"code": UP.code, "store": store.pk, "start": day, "end": day}).json()
    assert body["count"] == 1 and body["results"][0]["business_date"] == day.isoformat()
    region = store.region
    body = api.get(VALUES, {"region": region.pk, "code": DOWN.code, "page_size": 500}).json()
    assert {r["store"] for r in body["results"]} == {
        s.pk for s in facts["stores"] if s.region_id == region.pk
    }


def test_bad_or_out_of_scope_filters(api_as, demo, facts):
    api = api_as(demo.user("regional"))
    mine = Region.objects.visible_to(demo.user("regional"))
    other_region = Region.objects.exclude(pk__in=mine.values("pk")).first()
    other_store = Store.objects.filter(region=other_region).first()
    for url in (VALUES, ROLLUPS):
        assert api.get(url, {"code": "nope"}).status_code == 400
        assert api.get(url, {"start": "yesterday"}).status_code == 400
        assert api.get(url, {"store": "abc"}).status_code == 400
        assert api.get(url, {"store": other_store.pk}).status_code == 404
        assert api.get(url, {"region": other_region.pk}).status_code == 404
        assert api.get(url, {"store": 10**9}).status_code == 404
    for params in (
        {"group": "city"},
        {"period": "year"},
        {"period": "month", "month": "2026-13"},
        {"month": "26-01"},
        {"month": "0000-01"},
    ):
        response = api.get(ROLLUPS, params)
        assert response.status_code == 400, params
        assert isinstance(response.json(), dict)


def test_rollup_dates(api_as, demo, facts):
    """start and end replace the period's own dates; an empty range has no rows."""
    api = api_as(demo.user("headoffice"))
    first, second = facts["days"]
    body = api.get(ROLLUPS, {"period": "7d", "start": second, "code": UP.code}).json()
    assert {r["start"] for r in body} == {second.isoformat()}
    assert {r["end"] for r in body} == {second.isoformat()}  # yesterday: the last closed day
    assert all(Decimal(r["denominator"]) == 10 for r in body)
    body = api.get(ROLLUPS, {"start": second, "end": first, "code": UP.code}).json()
    assert body == []
    month = api.get(ROLLUPS, {"month": f"{first:%Y-%m}", "group": "chain"}).json()
    assert {r["start"] for r in month} == {first.replace(day=1).isoformat()}


@pytest.mark.parametrize("group", ["store", "region", "chain"])
def test_rollups_equal_kpi_rollup(api_as, demo, facts, group):
    user = demo.user("regional")
    start, end = facts["days"]
    body = api_as(user).get(ROLLUPS, {"group": group, "start": start, "end": end}).json()
    rows = [r for r in body if r["code"] == UP.code]
    expected = kpi_rollup(user=user, code=UP.code, start=start, end=end, group=group)
    assert len(rows) == len(expected)
    by_key = {r["key"] if group != "chain" else "chain": r for r in rows}
    for row in expected:
        got = by_key[row["key"]]
        assert Decimal(got["value"]) == row["value"]
        assert Decimal(got["numerator"]) == row["numerator"]
        assert got["rag"] in ("green", "amber", "red")
    if group == "store":
        codes = {r["key_code"] for r in rows}
        assert codes <= set(Store.objects.visible_to(user).values_list("code", flat=True))


def test_rollup_period_and_narrowing(api_as, demo, facts):
    api = api_as(demo.user("headoffice"))
    store = facts["stores"][0]
    body = api.get(ROLLUPS, {"period": "7d", "code": UP.code, "store": store.pk}).json()
    assert [r["key"] for r in body] == [store.pk]
    # The period ends on the last closed business date: yesterday, the newest day facts has.
    assert datetime.date.fromisoformat(body[0]["end"]) == facts["days"][1]
    region = store.region
    body = api.get(ROLLUPS, {"group": "chain", "region": region.pk, "code": UP.code}).json()
    assert len(body) == 1 and body[0]["key"] is None
    in_region = [s for s in facts["stores"] if s.region_id == region.pk]
    assert Decimal(body[0]["denominator"]) == 20 * len(in_region)


def test_rollup_query_count_is_constant(api_as, demo, facts):
    api = api_as(demo.user("headoffice"))

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(ROLLUPS, params).status_code == 200
        return len(queries)

    by_store, by_region = count({}), count({"group": "region"})
    one_store = count({"store": facts["stores"][0].pk})
    region = Region.objects.create(code="QQ", name="More stores")
    day = facts["days"][0]
    for i in range(6):
        store = Store.objects.create(code=f"QQ{i:03d}", name=f"Q {i}", region=region)
        add_fact(store, day, UP, 1, 2)
    assert count({}) == by_store
    assert count({"group": "region"}) == by_region
    assert count({"store": facts["stores"][0].pk}) == one_store
    with CaptureQueriesContext(connection) as one_page:
        api.get(VALUES, {"page_size": 5})
    with CaptureQueriesContext(connection) as big_page:
        api.get(VALUES, {"page_size": 500})
    assert len(one_page) == len(big_page)


def test_definitions(api_as, demo, facts):
    staff = demo.user("staff")
    body = api_as(staff).get(DEFINITIONS).json()
    codes = [d["code"] for d in body]
    # Every KPI but those whose readers leave store staff out (the labor cost).
    assert codes == [k.code for k in registry.kpis_for(staff)]
    assert set(codes) == {k.code for k in registry.all_kpis()} - {"labor_cost_pct"}
    up = next(d for d in body if d["code"] == UP.code)
    assert up["direction"] == "higher_is_better" and up["unit"] == "%"
    assert up["thresholds"] == {"green": "50.000000", "amber": "30.000000"}
    assert up["name_zh"] == UP.name_zh and up["numerator"] == "hits"
    down = next(d for d in body if d["code"] == DOWN.code)
    assert down["direction"] == "lower_is_better" and "<=" in down["rag_rule"]
    compliance = next(d for d in body if d["code"] == "checklist_compliance")
    assert compliance["thresholds"] is None
