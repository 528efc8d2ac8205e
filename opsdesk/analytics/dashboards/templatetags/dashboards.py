"""Formatting of KPI values for the dashboard templates."""

from decimal import Decimal
from types import SimpleNamespace

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..selectors import kpi_label

register = template.Library()

# Decimal places shown per unit; a unit the registry adds later gets two.
PLACES = {"%": 1, "h": 1, "ratio": 2, "money": 2, "count": 2, "per 1k": 2}
SUFFIX = {"%": "\u00a0%", "h": "\u00a0h", "per 1k": "\u00a0‰"}


@register.filter
def kpi_value(value, kpi) -> str:
    """A KPI value with its unit (``—`` when there is none: no denominator)."""
    if value is None:
        return "—"
    unit = getattr(kpi, "unit", "")
    shown = number_format(Decimal(value), PLACES.get(unit, 2))
    return f"{shown}{SUFFIX.get(unit, '')}"


@register.filter
def number(value, places=2) -> str:
    """A numerator or denominator: whole numbers without decimals."""
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value, 0)
    return number_format(value, int(places))


# The extras KPIs compute beside their value (Kpi.extras): label and unit by key.
EXTRAS = {
    "p90_h": (_("90th percentile"), "h"),
    "days_on_hand": (_("Days of inventory on hand"), ""),
    "mtd": (_("Month to date"), "%"),
}


@register.filter
def extra_label(key: str) -> str:
    known = EXTRAS.get(key)
    return str(known[0]) if known else str(key).replace("_", " ")


@register.filter
def extra_value(value, key: str) -> str:
    unit = EXTRAS.get(key, ("", ""))[1]
    return kpi_value(value, SimpleNamespace(unit=unit))


@register.filter
def kpi_name(kpi) -> str:
    """The KPI's name in the current language (the registry carries the Chinese one)."""
    return kpi_label(kpi)


UNITS = {
    "%": _("percent"),
    "h": _("hours"),
    "ratio": _("ratio"),
    "money": _("amount of money"),
    "count": _("count"),
    "per 1k": _("per thousand"),
}


@register.filter
def unit_label(unit: str) -> str:
    return str(UNITS.get(unit, unit))
