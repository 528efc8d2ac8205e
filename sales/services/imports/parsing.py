"""Parsing one row: its canonical values to a ``ParsedLine``, or every problem it has."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Product
from stores.models import Store

from .common import (
    FALSE_VALUES,
    MAX_AMOUNT,
    MAX_QUANTITY,
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
        # For the fast path (``parse_fast``): store code -> (id, zone), and conversions
        # that repeat from row to row (a receipt's lines share its time, a file its dates).
        self.store_zones = {
            code: (store.pk, self.zones[store.pk]) for code, store in self.stores.items()
        }
        self.dates: dict[str, datetime.date | None] = {}
        self._last_moment: tuple = (None, None, None)

    def moment(self, value: str, zone) -> tuple[str, datetime.date] | None:
        """(ISO text with offset, business date) of a ``sold_at`` in a store's zone."""
        last_value, last_zone, last = self._last_moment
        if value == last_value and zone is last_zone:
            return last
        sold_at = _datetime(value, zone)
        found = None if sold_at is None else (sold_at.isoformat(), sold_at.astimezone(zone).date())
        self._last_moment = (value, zone, found)
        return found

    def date(self, value: str) -> datetime.date | None:
        try:
            return self.dates[value]
        except KeyError:
            if len(self.dates) > 10_000:
                self.dates.clear()
            found = self.dates[value] = _date(value)
            return found


def _decimal(value: str, places: Decimal, limit: Decimal = MAX_AMOUNT) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "")) if value else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= limit:
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
        elif name == "quantity" and abs(numbers[name]) >= MAX_QUANTITY:
            numbers[name] = None
            error(name, _("Quantity is too large."))
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


# The common spellings, checked without ``Decimal``: anything else takes ``parse_row``.
_QUANTITY = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,3})?").fullmatch
_MONEY = re.compile(r"[0-9]{1,11}(?:\.[0-9]{1,2})?").fullmatch
_SIGNED_MONEY = re.compile(r"-?[0-9]{1,11}(?:\.[0-9]{1,2})?").fullmatch
_LINE = re.compile(r"[0-9]{1,7}").fullmatch


def parse_fast(values: dict[str, str], ctx: _Context) -> tuple | None:
    """A well-formed row as the tuple ``staged_line`` takes, or ``None`` when the row
    needs ``parse_row`` (any problem, or a spelling the fast path does not read, such
    as ``1,000.00``). Never accepts a row that ``parse_row`` refuses."""
    get = values.get
    found = ctx.store_zones.get(get("store", "").lower())
    receipt = get("receipt_number", "")
    if found is None or not receipt:
        return None
    store_id, zone = found
    moment = ctx.moment(get("sold_at", ""), zone)
    if moment is None:
        return None
    sold_at, business_date = moment
    if business_date_text := get("business_date"):
        business_date = ctx.date(business_date_text)
        if business_date is None:
            return None
    number = get("line_number", "")
    product_id = ctx.skus.get(get("sku", ""))
    quantity = get("quantity", "")
    unit_price = get("unit_price", "")
    net_amount = get("net_amount", "")
    discount = get("discount") or "0.00"
    if (
        product_id is None
        or _LINE(number) is None
        or _QUANTITY(quantity) is None
        or _MONEY(unit_price) is None
        or _SIGNED_MONEY(net_amount) is None
        or _SIGNED_MONEY(discount) is None
    ):
        return None
    line_number = int(number)
    flag = get("is_return", "").lower()
    if flag in FALSE_VALUES:
        is_return = False
    elif flag in TRUE_VALUES:
        is_return = True
    else:
        return None
    if line_number < 1 or line_number > 1_000_000 or not quantity.strip("-0."):
        return None
    if (quantity[0] == "-") != is_return:
        return None
    return (
        store_id,
        business_date,
        sold_at,
        receipt,
        get("till", "")[:32],
        get("cashier", "")[:100],
        line_number,
        get("sku"),
        product_id,
        quantity,
        unit_price,
        discount,
        net_amount,
    )


def staged(parsed: ParsedLine, receipt: str) -> tuple:
    """``parse_row``'s result as the tuple ``parse_fast`` gives (``receipt`` is the
    file's receipt number, before truncation)."""
    return (
        parsed.store_id,
        parsed.business_date,
        parsed.sold_at.isoformat(),
        receipt,
        parsed.till,
        parsed.cashier,
        parsed.line_number,
        parsed.sku,
        parsed.product_id,
        str(parsed.quantity),
        str(parsed.unit_price),
        str(parsed.discount),
        str(parsed.net_amount),
    )


def _raw_receipt_key(values: dict[str, str]) -> tuple[str, str]:
    return (values.get("store", "").lower(), values.get("receipt_number", ""))
