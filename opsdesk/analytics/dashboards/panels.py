"""The KPI panels of the region and chain dashboards ("data as of", the tiles, the league
table, the trends), rendered once per state of the figures and kept in the cache.

What the panels show depends only on: the stores they cover (the view passes the stores
in the user's scope, so two users share an entry exactly when they see the same stores),
the period, the language, the KPI facts, the thresholds and the page's own links. The
cache key holds all of them:

- the facts (and "data as of") change only when a KPI run commits, which
  ``kpi_data_version()`` reflects: a new run's figures show on the next request;
- the thresholds are read on every request (one small query) and are part of the key,
  so a change of bands shows at once;
- the stores' and regions' codes and names, the period, the language, the KPIs the user
  may read (``registry.kpis_for``: two users share an entry only when they read the same
  KPIs) and the links (export, out-of-band) are part of the key too.

The extras of a few KPIs (the 90th percentile of order and transfer hours) are read from
the documents rather than the facts; the panels of a period whose last day is still open
in one of the stores (a calendar month that is not over) are therefore never cached, and
an entry lives at most ``CACHE_SECONDS``. What is per user (the navigation, the role's
breadcrumb, the CSRF token) is rendered on every request around the panels.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.periods import Period
from opsdesk.analytics.kpis.selectors import kpi_data_state
from opsdesk.analytics.kpis.thresholds import bands_fingerprint

from . import selectors

logger = logging.getLogger(__name__)

CACHE_SECONDS = 10 * 60
# Bump when the panel templates change shape, so that entries made by the previous code
# are not served by the new one (the key holds everything else).
KEY_VERSION = 2


@dataclass(frozen=True)
class Panels:
    """The rendered panels, and the figures behind them for code that wants the values
    (computed lazily when the panels came from the cache)."""

    html: SafeString
    table: selectors.LeagueTable
    tiles: list[selectors.Cell]
    trends: dict
    as_of: datetime.datetime | None
    cached: bool


def earliest_local_date(zones: Iterable[str], now: datetime.datetime | None = None):
    """The oldest current business date among these time zones (a day still open there)."""
    now = now or timezone.now()
    return min(now.astimezone(zoneinfo.ZoneInfo(z)).date() for z in set(zones) or {"UTC"})


_FINGERPRINTS: dict[tuple, tuple] = {}


def _registry_fingerprint(kpis: list[registry.Kpi], language: str) -> list:
    """What the panels show of each KPI, remembered per process (the registry changes
    only when code registers a KPI; the memo holds the KPIs, so their ids stay theirs)."""
    memo_key = (language, *map(id, kpis))
    memo = _FINGERPRINTS.get(memo_key)
    if memo is None:
        shown = [
            (k.code, str(k.name), k.name_zh, k.unit, k.higher_is_better, str(k.scale)) for k in kpis
        ]
        memo = _FINGERPRINTS[memo_key] = (tuple(kpis), shown)
    return memo[1]


def _cache_get(key: str) -> str | None:
    """The cached panels, or None; a cache that is down only costs the rendering."""
    try:
        return cache.get(key)
    except Exception:  # any error of the cache backend
        logger.warning("dashboard panels: cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, html: str) -> None:
    try:
        cache.set(key, html, CACHE_SECONDS)
    except Exception:  # any error of the cache backend
        logger.warning("dashboard panels: cache unavailable", exc_info=True)


def _key(parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"dashboards:panels:{KEY_VERSION}:{digest}"


def kpi_panels(
    *,
    user,
    period: Period,
    entities: list,
    group: str,
    store_ids: list[int],
    zones: Iterable[str],
    template: str,
    context: dict,
    fixed_context: dict | None = None,
) -> Panels:
    """The panels of a region (``group="store"``: one row per store) or of the chain
    (``group="region"``), for ``store_ids`` — which must be the stores in the user's
    scope — rendered with ``template`` and ``context`` (plain values: labels, links; part
    of the cache key). ``fixed_context`` is rendered too but is not part of the key: only
    values the key already determines (the ``period`` object, constant tables).

    Queries on a cache hit: one (the KPI data version and the thresholds), whatever the
    number of stores; on a miss, those of the league table, trends and "data as of"."""
    version, thresholds = kpi_data_state()
    kpis = registry.kpis_for(user)
    language = get_language()
    parts = (
        template,
        language,
        group,
        (period.key, period.start, period.end, period.month),
        sorted(context.items()),
        [(e.pk, e.code, e.name) for e in entities],
        sorted(store_ids),
        _registry_fingerprint(kpis, language),
        bands_fingerprint(thresholds),
        version,
    )
    cacheable = period.end < earliest_local_date(zones)
    key = _key(parts)

    def table():
        return selectors.league_table(
            user=user,
            period=period,
            entities=entities,
            group=group,
            store_ids=store_ids,
            with_extras=True,
            thresholds=thresholds,
        )

    def trends():
        return selectors.trends(user=user, period=period, store_ids=store_ids)

    def as_of():
        return selectors.data_as_of(user=user, store_ids=store_ids)

    html = _cache_get(key) if cacheable else None
    if html is not None:
        lazy_table = SimpleLazyObject(table)
        return Panels(
            html=mark_safe(html),  # noqa: S308 - our own template's output
            table=lazy_table,
            tiles=SimpleLazyObject(lambda: lazy_table.total.cells),
            trends=SimpleLazyObject(trends),
            as_of=SimpleLazyObject(as_of),
            cached=True,
        )
    league = table()
    figures = {"table": league, "tiles": league.total.cells, "trends": trends(), "as_of": as_of()}
    html = render_to_string(template, {**(fixed_context or {}), **context, **figures})
    if cacheable:
        _cache_set(key, str(html))
    return Panels(html=mark_safe(html), cached=False, **figures)  # noqa: S308
