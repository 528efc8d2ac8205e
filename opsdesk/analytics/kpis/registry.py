"""The KPI registry: code, names, unit, direction, and how to compute one business date.

A KPI's ``compute(business_date, store_ids)`` returns ``{store_id: (numerator,
denominator)}`` for the stores it has data for, in a bounded number of queries whatever
the number of stores, reading a bounded window of days (never the whole history).

``extras`` (optional) gives the figures shown beside a KPI's value that are not a ratio of
sums, for a set of stores over a period: ``kpi.extras(store_ids, start, end) -> dict``,
called by dashboards and reports. ``store_ids`` must already be limited to the user's
scope (the extras do not scope); ``start``..``end`` are business dates, both included.
Each value is a ``Decimal`` or ``None`` (no data), in a bounded number of queries:

- ``order_cycle_time_h``, ``transfer_cycle_time_h``: ``{"p90_h": …}``, the 90th
  percentile of the hours of the orders / transfers completed in the period (linear
  interpolation between the closest ranks), from the raw documents.
- ``inventory_turnover_30d``: ``{"days_on_hand": …}`` = 30 ÷ the period's turnover
  (ratio of summed numerators and denominators of its facts).
- ``sales_attainment_mtd``: ``{"mtd": …}``, the month-to-date attainment at ``end`` (the
  facts of the 1st of ``end``'s month to ``end``, summed), whatever ``start`` is.

``readers`` (optional) is the set of roles that may read a KPI (its facts, roll-ups, tiles,
exports and definition); None, the default, is every role that sees KPIs at all. Every
read for a user goes through :func:`kpis_for` / :func:`kpi_codes_for`: a KPI the user may
not read is left out of every list, and asked for by name it is refused like a store
outside their scope (404 in the API and on the store KPI page; :func:`get_for` raises
``KeyError`` like an unknown code).

KPIs that read the same figures (turnover, sell-through and shrinkage sum the same 30
days of movements; ATV and UPT the same day of sales) get them through ``shared``: inside
one ``run_cache()`` (the engine opens one per run) each is read once; outside, every call
reads.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from stores.access import user_role

Values = dict[int, tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str | Promise
    name_zh: str
    unit: str  # "%", "h", "ratio", "money", "count", "per 1k"
    higher_is_better: bool
    numerator: str | Promise
    denominator: str | Promise
    compute: Callable[[datetime.date, list[int]], Values]
    # value = numerator / denominator x scale (100 for a percentage, 1000 per thousand).
    scale: Decimal = Decimal(1)
    # extras(store_ids, start, end) -> {name: Decimal | None}; see the module docstring.
    extras: Callable[[list[int], datetime.date, datetime.date], dict] | None = None
    # The roles that may read it (None: every role that sees KPIs); see the module docstring.
    readers: frozenset[str] | None = None

    def readable_by(self, role: str | None) -> bool:
        return role is not None and (self.readers is None or role in self.readers)

    def value(self, numerator: Decimal, denominator: Decimal) -> Decimal | None:
        if not denominator:
            return None
        return (Decimal(numerator) / Decimal(denominator) * self.scale).quantize(
            Decimal("0.000001")
        )


_REGISTRY: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    if kpi.code in _REGISTRY and _REGISTRY[kpi.code] is not kpi:
        raise ValueError(f"KPI {kpi.code} is registered twice")
    _REGISTRY[kpi.code] = kpi
    return kpi


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def get(code: str) -> Kpi:
    return _REGISTRY[code]


def all_kpis(codes: Iterable[str] | None = None) -> list[Kpi]:
    if codes is None:
        return [_REGISTRY[c] for c in sorted(_REGISTRY)]
    unknown = set(codes) - set(_REGISTRY)
    if unknown:
        raise KeyError(f"unknown KPI codes: {sorted(unknown)}")
    return [_REGISTRY[c] for c in sorted(set(codes))]


def kpis_for(user, codes: Iterable[str] | None = None) -> list[Kpi]:
    """The registered KPIs (or those of ``codes``) that ``user`` may read: the one list
    every read of KPI figures for a user starts from. Unknown codes raise ``KeyError``."""
    role = user_role(user)
    return [kpi for kpi in all_kpis(codes) if kpi.readable_by(role)]


def kpi_codes_for(user) -> set[str]:
    """The codes of the KPIs ``user`` may read."""
    return {kpi.code for kpi in kpis_for(user)}


def get_for(user, code: str) -> Kpi:
    """``get(code)`` for a KPI the user may read; ``KeyError`` for another, like an
    unknown code (its existence is not the user's business)."""
    kpi = get(code)
    if not kpi.readable_by(user_role(user)):
        raise KeyError(code)
    return kpi


_run_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "kpi_run_cache", default=None
)


@contextlib.contextmanager
def run_cache() -> Iterator[None]:
    """A cache for ``shared`` figures, for the duration of one run of the job."""
    token = _run_cache.set({})
    try:
        yield
    finally:
        _run_cache.reset(token)


def shared(key: Hashable, read: Callable[[], object]):
    """``read()``, once per ``key`` inside a ``run_cache()`` (every time outside one).
    The key names the figures and everything they depend on (dates, store ids)."""
    cache = _run_cache.get()
    if cache is None:
        return read()
    if key not in cache:
        cache[key] = read()
    return cache[key]
