"""Red/amber/green: head office's bands per KPI and the one function that applies them.

For a KPI where higher is better a value at or above ``green`` is green, at or above
``amber`` amber, anything lower red; for a KPI where lower is better it is the mirror
image (at or below ``green`` green, at or below ``amber`` amber, above it red). So the
bands must be ordered with the direction: ``green >= amber`` when higher is better,
``green <= amber`` when lower is better (equal bands mean there is no amber zone).

Every tile, league table, the out-of-band list and the API call :func:`rag`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.roles import CHAIN_ROLES
from stores.access import ensure_role

from . import registry
from .models import KpiThreshold

GREEN, AMBER, RED = "green", "amber", "red"
RAG_STATES = (GREEN, AMBER, RED)
RAG_LABELS = {GREEN: _("Green"), AMBER: _("Amber"), RED: _("Red")}
# Who sets the bands (docs/design.md: head office configures KPI thresholds).
THRESHOLD_SETTERS = CHAIN_ROLES


@dataclass(frozen=True)
class Band:
    green: Decimal
    amber: Decimal


def rag(
    value: Decimal | None, band: Band | KpiThreshold | None, higher_is_better: bool
) -> str | None:
    """ "green", "amber" or "red" for a value against its bands; None without a value
    (no denominator) or without bands (none set for that KPI)."""
    if value is None or band is None:
        return None
    value = Decimal(value)
    if higher_is_better:
        if value >= band.green:
            return GREEN
        return AMBER if value >= band.amber else RED
    if value <= band.green:
        return GREEN
    return AMBER if value <= band.amber else RED


def bands() -> dict[str, KpiThreshold]:
    """Every KPI's bands by code (one query)."""
    return {t.code: t for t in KpiThreshold.objects.all()}


def bands_fingerprint(thresholds: dict[str, Band | KpiThreshold]) -> str:
    """The bands as one string, for cache keys: equal exactly when every band is equal."""
    return ";".join(
        f"{code}={band.green}/{band.amber}" for code, band in sorted(thresholds.items())
    )


def validate_bands(kpi: registry.Kpi, green: Decimal, amber: Decimal) -> None:
    if kpi.higher_is_better and green < amber:
        raise ValidationError(
            {
                "amber": _(
                    "Higher is better for this KPI: amber must not be above green "
                    "(values from green up are green, from amber up amber, below amber red)."
                )
            },
            code="band_order",
        )
    if not kpi.higher_is_better and green > amber:
        raise ValidationError(
            {
                "amber": _(
                    "Lower is better for this KPI: amber must not be below green "
                    "(values up to green are green, up to amber amber, above amber red)."
                )
            },
            code="band_order",
        )


def threshold_set(*, user, code: str, green: Decimal, amber: Decimal) -> KpiThreshold:
    """Head office sets (or changes) one KPI's bands."""
    ensure_role(user, THRESHOLD_SETTERS)
    try:
        kpi = registry.get(code)
    except KeyError:
        raise ValidationError({"code": _("Unknown KPI.")}, code="unknown_kpi") from None
    validate_bands(kpi, green, amber)
    with transaction.atomic():
        threshold, _created = KpiThreshold.objects.update_or_create(
            code=code, defaults={"green": green, "amber": amber, "updated_by": user}
        )
    return threshold


def threshold_clear(*, user, code: str) -> None:
    """Head office removes a KPI's bands: its values show without a colour."""
    ensure_role(user, THRESHOLD_SETTERS)
    KpiThreshold.objects.filter(code=code).delete()
