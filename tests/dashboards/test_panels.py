"""The cached KPI panels of the region and chain dashboards: served from the cache while
nothing changed, new figures right after a KPI run, new colours right after a threshold
change, new names after a rename, one entry per set of stores, open periods never cached,
and a number of queries that does not depend on the stores, on a hit as on a miss."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opsdesk.analytics.dashboards import panels, selectors
from opsdesk.analytics.kpis.models import KpiThreshold
from opsdesk.analytics.kpis.periods import period_for
from opsdesk.analytics.kpis.selectors import kpi_data_version
from stores.models import Region, Store

from .conftest import DOWN, UP, add_fact, mark_computed

pytestmark = pytest.mark.django_db


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _cell(html, store_code, code):
    row = re.search(rf'<tr data-store-code="{store_code}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-kpi="{code}" data-rag="([^"]*)"><a [^>]*>([^<]*)</a>', row).groups()


def _region_url(region, query="?period=7d"):
    return reverse("dashboards:region", args=[region.pk]) + query


def test_a_second_request_is_served_from_the_cache(client, demo, facts):
    client.force_login(demo.user("regional"))
    region = Region.objects.get(code="EC")
    first, misses = _get(client, _region_url(region))
    second, hits = _get(client, _region_url(region))
    assert hits < misses
    store = Store.objects.filter(region=region).exclude(status="planned").order_by("code")[0]
    assert _cell(first.content.decode(), store.code, UP.code) == _cell(
        second.content.decode(), store.code, UP.code
    )
    # The figures stay available to code reading the context (computed on demand).
    cells = {c.kpi.code: c for c in second.context["table"].total.cells}
    assert cells[UP.code].denominator == 20 * len(second.context["table"].rows)
    codes = [c.kpi.code for c in first.context["tiles"]]
    assert [c.kpi.code for c in second.context["tiles"]] == codes


def test_a_kpi_run_shows_at_once(client, demo, facts):
    client.force_login(demo.user("regional"))
    region = Region.objects.get(code="EC")
    store = Store.objects.filter(region=region).exclude(status="planned").order_by("code")[0]
    before = _cell(client.get(_region_url(region)).content.decode(), store.code, UP.code)
    # The nightly job rewrites a day's figures and records its run in one transaction.
    day = facts["days"][0]
    from opsdesk.analytics.kpis.models import KpiFact

    KpiFact.objects.filter(store=store, business_date=day, code=UP.code).update(
        numerator=Decimal(10), denominator=Decimal(10)
    )
    version = kpi_data_version()
    mark_computed([store], day)
    assert kpi_data_version() != version
    after = _cell(client.get(_region_url(region)).content.decode(), store.code, UP.code)
    assert after != before
    hits = facts["rows"][(store.code, facts["days"][1])][0] + 10
    assert after[1] == f"{Decimal(hits) / 20 * 100:.1f}\u00a0%"


def test_a_threshold_change_shows_at_once(client, demo, facts):
    client.force_login(demo.user("regional"))
    region = Region.objects.get(code="EC")
    store = Store.objects.filter(region=region).exclude(status="planned").order_by("code")[0]
    client.get(_region_url(region))
    KpiThreshold.objects.filter(code=UP.code).update(green=Decimal(0), amber=Decimal(0))
    html = client.get(_region_url(region)).content.decode()
    assert _cell(html, store.code, UP.code)[0] == "green"
    KpiThreshold.objects.filter(code=UP.code).update(green=Decimal(100), amber=Decimal(99))
    html = client.get(_region_url(region)).content.decode()
    assert _cell(html, store.code, UP.code)[0] == "red"
    KpiThreshold.objects.filter(code=UP.code).delete()
    html = client.get(_region_url(region)).content.decode()
    assert _cell(html, store.code, UP.code)[0] == ""


def test_a_renamed_store_shows_at_once(client, demo, facts):
    client.force_login(demo.user("headoffice"))
    region = Region.objects.get(code="EC")
    store = Store.objects.filter(region=region).exclude(status="planned").order_by("code")[0]
    client.get(_region_url(region))
    Store.objects.filter(pk=store.pk).update(name="Renamed store")
    assert "Renamed store" in client.get(_region_url(region)).content.decode()
    chain = reverse("dashboards:chain") + "?period=7d"
    client.get(chain)
    Region.objects.filter(pk=region.pk).update(name="Renamed region")
    assert "Renamed region" in client.get(chain).content.decode()


def test_regional_ops_and_head_office_sharing_stores_each_see_their_own_breadcrumb(
    client, demo, facts
):
    """The cached region page is shared by the users who see the same stores, but only
    head office's links to the chain's dashboard; a renamed region shows at once."""
    region = Region.objects.get(code="EC")
    chain = reverse("dashboards:chain")
    for username, sees_chain in (("regional", False), ("headoffice", True), ("regional", False)):
        client.force_login(demo.user(username))
        html = _get(client, _region_url(region))[0].content.decode()
        assert (f'href="{chain}?' in html) is sees_chain, username
    Region.objects.filter(pk=region.pk).update(name="Renamed region")
    assert "EC Renamed region" in client.get(_region_url(region)).content.decode()


def test_one_entry_per_set_of_stores(demo, facts):
    """Users who see other stores never share panels (the stores are in the key)."""
    user = demo.user("headoffice")
    region = Region.objects.get(code="EC")
    stores = list(selectors.trading_stores(user=user, region=region))
    period = period_for("7d", facts["today"] - datetime.timedelta(days=1))

    def shown(entities):
        return panels.kpi_panels(
            user=user,
            period=period,
            entities=entities,
            group="store",
            store_ids=[s.pk for s in entities],
            zones=[s.time_zone for s in entities],
            template="dashboards/_region_panels.html",
            context={"region_code": region.code, "period_query": "period=7d", "exports": []},
        )

    everything = shown(stores)
    assert not everything.cached and shown(stores).cached
    fewer = shown(stores[:1])
    assert not fewer.cached
    codes = set(re.findall(r'<tr data-store-code="([^"]+)"', fewer.html))
    assert codes == {stores[0].code}
    assert fewer.tiles[0].denominator <= everything.tiles[0].denominator


def test_a_period_not_over_is_never_cached(client, demo, facts):
    client.force_login(demo.user("regional"))
    region = Region.objects.get(code="EC")
    this_month = timezone.localdate() + datetime.timedelta(days=1)
    url = _region_url(region, f"?period=month&month={this_month:%Y-%m}")
    first, misses = _get(client, url)
    _second, again = _get(client, url)
    assert again == misses
    assert first.context["period"].end >= timezone.localdate()


def test_queries_do_not_grow_with_stores_on_a_hit_or_a_miss(client, demo, facts):
    client.force_login(demo.user("headoffice"))
    small = Region.objects.create(code="QS", name="Small")
    big = Region.objects.create(code="QB", name="Big")
    counts = {}
    for region, n in ((small, 1), (big, 9)):
        stores = [
            Store.objects.create(
                code=f"{region.code}{i:03d}", name=f"S{i}", region=region, time_zone="Asia/Shanghai"
            )
            for i in range(n)
        ]
        day = stores[0].business_date() - datetime.timedelta(days=1)
        for store in stores:
            add_fact(store, day, UP, 3, 10)
            add_fact(store, day, DOWN, 5, 2)
        mark_computed(stores, day)
    for region in (small, big):
        _miss_response, miss = _get(client, _region_url(region))
        _hit_response, hit = _get(client, _region_url(region))
        counts[region.code] = (miss, hit)
    assert counts["QS"] == counts["QB"]
    miss, hit = counts["QS"]
    assert hit < miss


def test_a_cache_that_is_down_only_costs_the_rendering(client, demo, facts, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(panels.cache, "get", down)
    monkeypatch.setattr(panels.cache, "set", down)
    client.force_login(demo.user("regional"))
    response = client.get(_region_url(Region.objects.get(code="EC")))
    assert response.status_code == 200 and 'data-testid="league-table"' in response.content.decode()


def test_a_kpi_some_readers_may_not_read_is_not_in_their_cached_panels(client, demo, facts):
    """Admin and head office see the same stores; a KPI only admins read is in the admin's
    panels and never in head office's, though the admin's entry was cached first."""
    from opsdesk.analytics.kpis import registry
    from opsdesk.platform.roles import Role

    secret = registry.Kpi(
        code="test_secret",
        name="Test secret",
        name_zh="测试机密",
        unit="%",
        higher_is_better=True,
        numerator="a",
        denominator="b",
        compute=UP.compute,
        readers=frozenset({Role.ADMIN}),
    )
    registry.register(secret)
    try:
        for store in facts["stores"]:
            add_fact(store, facts["days"][1], secret, 1, 2)
        url = reverse("dashboards:chain") + "?period=7d"
        client.force_login(demo.user("admin"))
        assert 'data-kpi="test_secret"' in client.get(url).content.decode()
        client.force_login(demo.user("headoffice"))
        response = client.get(url)
        html = response.content.decode()
        assert "test_secret" not in html and "Test secret" not in html
        assert 'data-kpi="test_up_pct"' in html
        assert secret not in response.context["table"].kpis
    finally:
        registry.unregister(secret.code)
