"""Parsing of the document lines the services take (quantities, products by id/SKU/barcode).

Errors are collected per line and raised together as ``ValidationError({"lines": [...]})``,
each message naming the line (1-based) and, when known, its SKU.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import Product
from ..rules import QTY_PLACES


class LineErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, number: int, message: str, sku: str = "") -> None:
        where = (
            _("Line %(number)s (%(sku)s)") % {"number": number, "sku": sku}
            if sku
            else _("Line %(number)s") % {"number": number}
        )
        self.messages.append(f"{where}: {message}")

    def raise_if_any(self, field: str = "lines") -> None:
        if self.messages:
            raise ValidationError({field: self.messages})


def parse_quantity(value, *, allow_zero: bool = False) -> Decimal:
    """A quantity: a finite number, at most 3 decimals, positive (or zero when allowed)."""
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not quantity.is_finite():
        raise ValueError(_("Enter a number."))
    if quantity != quantity.quantize(QTY_PLACES):
        raise ValueError(_("At most 3 decimal places."))
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValueError(
            _("Enter a quantity of zero or more.")
            if allow_zero
            else _("Enter a quantity greater than zero.")
        )
    if quantity >= Decimal("1e9"):
        raise ValueError(_("Quantity is too large."))
    return quantity.quantize(QTY_PLACES)


def products_by_reference(references: list) -> dict[str, Product]:
    """Look products up by id, SKU or barcode in one query: {str(reference): product}."""
    refs = {str(r).strip() for r in references if r not in (None, "")}
    ids = [int(r) for r in refs if r.isdigit() and len(r) < 18]
    found = Product.objects.filter(
        Q(sku__in=refs) | Q(barcode__in=refs) | Q(pk__in=ids)
    ).select_related("category")
    result: dict[str, Product] = {}
    for product in found:
        for key in (product.sku, product.barcode, str(product.pk)):
            if key in refs:
                # SKU and barcode win over an id that happens to look the same.
                if key == str(product.pk) and key in result:
                    continue
                result[key] = product
    return result


def product_lines(
    lines: list[dict], products: dict[str, Product], errors: LineErrors, *, twice: str
) -> Iterator[tuple[int, dict, Product, Decimal]]:
    """The lines of a document that name a known product once with a valid quantity, as
    (number, line, product, quantity); every other line adds its error to ``errors``
    (``twice`` is the message for a product named again)."""
    seen: set[int] = set()
    for number, line in enumerate(lines, start=1):
        product = products.get(str(line.get("product", "")).strip())
        if product is None:
            errors.add(number, _("Unknown product."))
            continue
        if product.pk in seen:
            errors.add(number, twice, product.sku)
            continue
        seen.add(product.pk)
        try:
            quantity = parse_quantity(line.get("quantity"))
        except ValueError as error:
            errors.add(number, str(error), product.sku)
            continue
        yield number, line, product, quantity
