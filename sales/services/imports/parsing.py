"""Parsing one row: its canonical values to a ``ParsedLine``, or every problem it has."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Product
from stores.models import Store

from .common import (
    FALSE_VALUES,
    MAX_AMOUNT,
    MONEY_PLACES,
    QTY_PLACES,
    REQUIRED_FIELDS,
    TRUE_VALUES,
    ParsedLine,
    RowError,
)


class _Context:
    """Lookups made once per import: the stores the user may import into, and SKUs."""

    def __init__(self, user):
        stores = Store.objects.visible_to(user) if user is not None else Store.objects.all()
        self.stores = {s.code.lower(): s for s in stores.only("pk", "code", "time_zone")}
        self.zones = {s.pk: zoneinfo.ZoneInfo(s.time_zone) for s in self.stores.values()}
        self.skus = dict(Product.objects.values_list("sku", "pk"))


def _decimal(value: str, places: Decimal) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "")) if value else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= MAX_AMOUNT:
        return None
    if number != number.quantize(places):
        return None
    return number.quantize(places)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None


def _datetime(value: str, zone) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_row(row: str, values: dict[str, str], ctx: _Context) -> tuple[ParsedLine | None, list]:
    """A parsed line, or the row's errors (every problem of the row, not just the first)."""
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row, column, str(message)))

    for name in REQUIRED_FIELDS:
        if not values.get(name):
            error(name, _("This value is required."))
    store = ctx.stores.get(values.get("store", "").lower())
    if values.get("store") and store is None:
        # Unknown and out-of-scope stores are refused alike: existence does not leak.
        error("store", _("Unknown store code %(code)s.") % {"code": values["store"]})
    zone = ctx.zones[store.pk] if store else datetime.UTC
    sold_at = _datetime(values.get("sold_at", ""), zone)
    if values.get("sold_at") and sold_at is None:
        error("sold_at", _("Not a date and time (use YYYY-MM-DD HH:MM[:SS])."))
    business_date = None
    if values.get("business_date"):
        business_date = _date(values["business_date"])
        if business_date is None:
            error("business_date", _("Not a date (use YYYY-MM-DD)."))
    elif sold_at is not None:
        business_date = sold_at.astimezone(zone).date()
    line_number = None
    if values.get("line_number"):
        try:
            line_number = int(values["line_number"])
            if not 1 <= line_number <= 1_000_000:
                raise ValueError
        except ValueError:
            error("line_number", _("Not a line number (a whole number from 1)."))
    product_id = ctx.skus.get(values.get("sku", ""))
    if values.get("sku") and product_id is None:
        error("sku", _("Unknown SKU %(sku)s.") % {"sku": values["sku"]})
    numbers = {}
    for name, places in (
        ("quantity", QTY_PLACES),
        ("unit_price", MONEY_PLACES),
        ("net_amount", MONEY_PLACES),
        ("discount", MONEY_PLACES),
    ):
        raw = values.get(name, "")
        if name == "discount" and not raw:
            numbers[name] = Decimal("0.00")
            continue
        if not raw:
            continue
        numbers[name] = _decimal(raw, places)
        if numbers[name] is None:
            limit = 3 if name == "quantity" else 2
            error(name, _("Not a number with at most %(places)s decimals.") % {"places": limit})
    flag = values.get("is_return", "").strip().lower()
    if flag not in TRUE_VALUES | FALSE_VALUES:
        error("is_return", _("Not a yes/no value."))
    is_return = flag in TRUE_VALUES
    quantity = numbers.get("quantity")
    if quantity is not None:
        if quantity == 0:
            error("quantity", _("The quantity cannot be zero."))
        elif quantity < 0 and not is_return:
            error("quantity", _("A negative quantity must be marked as a return."))
        elif quantity > 0 and is_return:
            error("quantity", _("A return must have a negative quantity."))
    if numbers.get("unit_price") is not None and numbers["unit_price"] < 0:
        error("unit_price", _("The unit price cannot be negative."))
    if errors:
        return None, errors
    return (
        ParsedLine(
            store_id=store.pk,
            business_date=business_date,
            sold_at=sold_at,
            receipt_number=values["receipt_number"][:64],
            till=values.get("till", "")[:32],
            cashier=values.get("cashier", "")[:100],
            line_number=line_number,
            sku=values["sku"],
            product_id=product_id,
            quantity=quantity,
            unit_price=numbers["unit_price"],
            discount=numbers["discount"],
            net_amount=numbers["net_amount"],
        ),
        [],
    )


def _raw_receipt_key(values: dict[str, str]) -> tuple[str, str]:
    return (values.get("store", "").lower(), values.get("receipt_number", ""))
