"""CSV imports of the catalogue (head office) and of opening stock (head office, store
managers for their own stores). Both in two passes, like the POS import:

1. **Validate** every row (nothing written): each problem becomes a row error (row,
   column, message); a file-level problem (size, encoding, header, empty, binary) is an
   ``ImportRejected`` raised by ``opsdesk.platform.imports.read_csv_upload``.
2. **Write** in one transaction, only when no row is bad: a file with any bad row writes
   nothing.

Re-importing the same file changes nothing:

- the catalogue is upserted by SKU; a row equal to the product (and its supplier terms)
  is left alone, so the second import reports every row as unchanged;
- opening stock is recorded once per store and product: a ``receipt`` with reference
  ``OPENING``. A row whose opening stock is already there with the same quantity and cost
  is skipped; with another quantity or cost, or for a product that already moved in that
  store, the row is refused (correct stock with a count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsdesk.platform.imports import RowError, parse_bool, parse_decimal, read_csv_upload
from opsdesk.platform.roles import Role
from stores.access import ensure_role
from stores.models import Store

from ..models import Category, MovementKind, Product, ProductSupplier, StockMovement, Supplier
from ..rules import CATALOGUE_WRITERS
from ._lines import parse_quantity
from .catalogue import product_create, product_supplier_set, product_update
from .ledger import MovementSpec, stock_levels_lock, stock_movements_post

CATALOGUE_REQUIRED = ("sku", "name", "category")
CATALOGUE_OPTIONAL = (
    "barcode",
    "name_zh",
    "unit",
    "cost",
    "retail_price",
    "active",
    "supplier",
    "supplier_sku",
    "supplier_cost",
    "pack_size",
    "preferred",
)
OPENING_REQUIRED = ("store", "sku", "quantity")
OPENING_OPTIONAL = ("unit_cost",)
OPENING_REFERENCE = "OPENING"
# Opening stock: head office for any store, a store manager for their own stores.
OPENING_STOCK_IMPORTERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
MAX_COST = Decimal("1e8")
SUPPLIER_TERMS = ("supplier_sku", "supplier_cost", "pack_size", "preferred")


def max_bytes() -> int:
    return int(getattr(settings, "INVENTORY_IMPORT_MAX_BYTES", 5 * 1024**2))


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


class _Rows:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, row, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))


class _Abort(Exception):
    """Raised inside the write transaction to roll it back with row errors."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors


# --- Catalogue -----------------------------------------------------------------------


@dataclass
class _ProductRow:
    row: int
    sku: str
    fields: dict  # product fields given in the row (empty cells left out)
    supplier: Supplier | None
    terms: dict


def _text(values, name, limit, errors: _Rows, row) -> str | None:
    value = values.get(name, "")
    if len(value) > limit:
        errors.add(row, name, _("At most %(limit)s characters.") % {"limit": limit})
        return None
    return value


def _catalogue_row(row, values, ctx, errors: _Rows) -> _ProductRow | None:
    before = len(errors.errors)
    sku = _text(values, "sku", 32, errors, row)
    if sku == "":
        errors.add(row, "sku", _("Enter the SKU."))
    fields: dict = {}
    name = _text(values, "name", 200, errors, row)
    if name == "":
        errors.add(row, "name", _("Enter the product name."))
    elif name:
        fields["name"] = name
    code = values.get("category", "")
    if not code:
        errors.add(row, "category", _("Enter the category code."))
    elif code.lower() not in ctx["categories"]:
        errors.add(row, "category", _("Unknown category “%(code)s”.") % {"code": code})
    else:
        fields["category"] = ctx["categories"][code.lower()]
    for name_, limit in (("name_zh", 200), ("barcode", 32)):
        value = _text(values, name_, limit, errors, row)
        if value:
            fields[name_] = value
    unit = values.get("unit", "")
    if unit:
        if unit.lower() not in Product.Unit.values:
            errors.add(
                row,
                "unit",
                _("Unknown unit “%(unit)s”: use one of %(units)s.")
                % {"unit": unit, "units": ", ".join(Product.Unit.values)},
            )
        else:
            fields["unit"] = unit.lower()
    for name_, places in (("cost", 4), ("retail_price", 2)):
        if values.get(name_):
            try:
                fields[name_] = parse_decimal(values[name_], places=places, maximum=MAX_COST)
            except ValueError as error:
                errors.add(row, name_, error)
    if values.get("active"):
        try:
            fields["active"] = parse_bool(values["active"])
        except ValueError as error:
            errors.add(row, "active", error)
    supplier, terms = _terms(row, values, ctx, errors)
    if len(errors.errors) > before:
        return None
    return _ProductRow(row, sku, fields, supplier, terms)


def _terms(row, values, ctx, errors: _Rows) -> tuple[Supplier | None, dict]:
    code = values.get("supplier", "")
    terms: dict = {}
    if not code:
        given = [name for name in SUPPLIER_TERMS if values.get(name)]
        if given:
            errors.add(row, "supplier", _("Enter the supplier these terms are for."))
        return None, terms
    supplier = ctx["suppliers"].get(code.lower())
    if supplier is None:
        errors.add(row, "supplier", _("Unknown supplier “%(code)s”.") % {"code": code})
    supplier_sku = _text(values, "supplier_sku", 64, errors, row)
    if supplier_sku:
        terms["supplier_sku"] = supplier_sku
    if values.get("supplier_cost"):
        try:
            terms["unit_cost"] = parse_decimal(values["supplier_cost"], places=4, maximum=MAX_COST)
        except ValueError as error:
            errors.add(row, "supplier_cost", error)
    if values.get("pack_size"):
        try:
            pack = int(values["pack_size"])
            if pack < 1 or pack > 1_000_000:
                raise ValueError
            terms["pack_size"] = pack
        except ValueError:
            errors.add(row, "pack_size", _("Enter a whole number of 1 or more."))
    if values.get("preferred"):
        try:
            terms["preferred"] = parse_bool(values["preferred"])
        except ValueError as error:
            errors.add(row, "preferred", error)
    return supplier, terms


def catalogue_import(*, user, upload) -> ImportResult:
    """Create or update products (by SKU) and their supplier terms from a CSV file.

    An empty optional cell keeps the product's current value (a new product gets the
    default). Supplier terms without ``supplier_cost`` take the product's cost.
    """
    ensure_role(user, CATALOGUE_WRITERS)
    table = read_csv_upload(
        upload, required=CATALOGUE_REQUIRED, optional=CATALOGUE_OPTIONAL, max_bytes=max_bytes()
    )
    result = ImportResult(kind="catalogue", rows=len(table.rows))
    errors = _Rows()
    ctx = {
        "categories": {c.code.lower(): c for c in Category.objects.all()},
        "suppliers": {s.code.lower(): s for s in Supplier.objects.all()},
    }
    parsed: list[_ProductRow] = []
    for row, values in table.rows:
        item = _catalogue_row(row, values, ctx, errors)
        if item is not None:
            parsed.append(item)
    skus = [item.sku for item in parsed]
    existing = {p.sku: p for p in Product.objects.filter(sku__in=skus).select_related("category")}
    barcodes = [item.fields["barcode"] for item in parsed if "barcode" in item.fields]
    barcode_owner = dict(Product.objects.filter(barcode__in=barcodes).values_list("barcode", "sku"))
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    for row, values in table.rows:
        sku, barcode = values.get("sku", ""), values.get("barcode", "")
        if sku:
            if sku in seen_sku:
                errors.add(
                    row,
                    "sku",
                    _("SKU %(sku)s is already on row %(row)s of this file.")
                    % {"sku": sku, "row": seen_sku[sku]},
                )
            else:
                seen_sku[sku] = row
        if barcode:
            if barcode in seen_barcode:
                errors.add(
                    row,
                    "barcode",
                    _("Barcode %(barcode)s is already on row %(row)s of this file.")
                    % {"barcode": barcode, "row": seen_barcode[barcode]},
                )
            else:
                seen_barcode[barcode] = row
            owner = barcode_owner.get(barcode)
            if owner is not None and owner != sku:
                errors.add(
                    row,
                    "barcode",
                    _("Barcode %(barcode)s belongs to product %(sku)s.")
                    % {"barcode": barcode, "sku": owner},
                )
    if errors.errors:
        result.errors = sorted(errors.errors, key=lambda e: (e.row, e.column))
        return result
    terms = {
        (t.product_id, t.supplier_id): t
        for t in ProductSupplier.objects.filter(product__sku__in=skus)
    }
    try:
        with transaction.atomic():
            for item in parsed:
                _upsert(user, item, existing.get(item.sku), terms, result)
    except _Abort as abort:
        result.created = result.updated = result.unchanged = 0
        result.errors = abort.errors
    return result


def _field_errors(row, error: ValidationError) -> list[RowError]:
    if hasattr(error, "error_dict"):
        return [
            RowError(row, "" if name == "__all__" else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "", message) for message in error.messages]


def _upsert(user, item: _ProductRow, product: Product | None, terms, result) -> None:
    created = product is None
    try:
        if created:
            product = product_create(user=user, sku=item.sku, **item.fields)
            changed = True
        else:
            changes = {k: v for k, v in item.fields.items() if getattr(product, k) != v}
            if changes:
                product = product_update(user=user, product=product, **changes)
            changed = bool(changes)
        if item.supplier is not None:
            current = terms.get((product.pk, item.supplier.pk))
            wanted = dict(item.terms)
            if current is None:
                wanted.setdefault("unit_cost", product.cost)
            else:
                wanted = {k: v for k, v in wanted.items() if getattr(current, k) != v}
            if current is None or wanted:
                product_supplier_set(user=user, product=product, supplier=item.supplier, **wanted)
                changed = True
    except ValidationError as error:
        raise _Abort(_field_errors(item.row, error)) from None
    if created:
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1


# --- Opening stock -------------------------------------------------------------------


@dataclass
class _OpeningRow:
    row: int
    store: Store
    product: Product
    quantity: Decimal
    unit_cost: Decimal


def opening_stock_import(*, user, upload, file_name: str = "") -> ImportResult:
    """Post each store's opening stock (a ``receipt`` with reference ``OPENING``) through
    the ledger. A store the user does not see is an unknown store (row refused)."""
    ensure_role(user, OPENING_STOCK_IMPORTERS)
    table = read_csv_upload(
        upload, required=OPENING_REQUIRED, optional=OPENING_OPTIONAL, max_bytes=max_bytes()
    )
    result = ImportResult(kind="opening", rows=len(table.rows))
    errors = _Rows()
    stores = {s.code.lower(): s for s in Store.objects.visible_to(user)}
    skus = {values.get("sku", "") for _row, values in table.rows}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    parsed: list[_OpeningRow] = []
    seen: dict[tuple[int, int], int] = {}
    for row, values in table.rows:
        before = len(errors.errors)
        code, sku = values.get("store", ""), values.get("sku", "")
        store = stores.get(code.lower()) if code else None
        if not code:
            errors.add(row, "store", _("Enter the store code."))
        elif store is None:
            errors.add(row, "store", _("No such store: “%(code)s”.") % {"code": code})
        product = products.get(sku) if sku else None
        if not sku:
            errors.add(row, "sku", _("Enter the SKU."))
        elif product is None:
            errors.add(row, "sku", _("Unknown SKU “%(sku)s”.") % {"sku": sku})
        quantity = unit_cost = None
        try:
            quantity = parse_quantity(values.get("quantity", ""))
        except ValueError as error:
            errors.add(row, "quantity", error)
        if values.get("unit_cost"):
            try:
                unit_cost = parse_decimal(values["unit_cost"], places=4, maximum=MAX_COST)
            except ValueError as error:
                errors.add(row, "unit_cost", error)
        if store is not None and product is not None:
            key = (store.pk, product.pk)
            if key in seen:
                errors.add(
                    row,
                    "sku",
                    _("%(sku)s at %(store)s is already on row %(row)s of this file.")
                    % {"sku": sku, "store": store.code, "row": seen[key]},
                )
            else:
                seen[key] = row
        if len(errors.errors) == before:
            parsed.append(
                _OpeningRow(
                    row,
                    store,
                    product,
                    quantity,
                    unit_cost if unit_cost is not None else product.cost,
                )
            )
    if errors.errors:
        result.errors = sorted(errors.errors, key=lambda e: (e.row, e.column))
        return result
    reason = _("Opening stock")
    if file_name:
        reason = f"{reason}: {file_name}"[:200]
    try:
        with transaction.atomic():
            # Lock the levels first: a second import of the same file waits here, then
            # finds the first one's opening movements and skips them.
            stock_levels_lock((item.store.pk, item.product.pk) for item in parsed)
            to_post = _opening_rows_to_post(parsed, result)
            stock_movements_post(
                user=user,
                movements=[
                    MovementSpec(
                        store_id=item.store.pk,
                        product_id=item.product.pk,
                        kind=MovementKind.RECEIPT,
                        quantity=item.quantity,
                        unit_cost=item.unit_cost,
                        reference=OPENING_REFERENCE,
                        reason=reason,
                    )
                    for item in to_post
                ],
            )
            result.created = len(to_post)
    except _Abort as abort:
        result.created = result.unchanged = 0
        result.errors = abort.errors
    return result


def _opening_rows_to_post(parsed: list[_OpeningRow], result: ImportResult) -> list[_OpeningRow]:
    """The rows still to post; raises ``_Abort`` for rows that conflict with the ledger."""
    store_ids = {item.store.pk for item in parsed}
    product_ids = {item.product.pk for item in parsed}
    movements = StockMovement.objects.filter(store_id__in=store_ids, product_id__in=product_ids)
    moved = set(movements.values_list("store_id", "product_id").distinct())
    openings = {
        (m.store_id, m.product_id): m
        for m in movements.filter(kind=MovementKind.RECEIPT, reference=OPENING_REFERENCE).only(
            "store_id", "product_id", "quantity", "unit_cost"
        )
    }
    errors, to_post = _Rows(), []
    for item in parsed:
        key = (item.store.pk, item.product.pk)
        opening = openings.get(key)
        if opening is not None:
            if opening.quantity == item.quantity and opening.unit_cost == item.unit_cost:
                result.unchanged += 1
                continue
            errors.add(
                item.row,
                "quantity",
                _(
                    "Opening stock of %(sku)s at %(store)s was already imported "
                    "(%(quantity)s at %(cost)s): correct it with a stock count."
                )
                % {
                    "sku": item.product.sku,
                    "store": item.store.code,
                    "quantity": f"{opening.quantity.normalize():f}",
                    "cost": f"{opening.unit_cost.normalize():f}",
                },
            )
        elif key in moved:
            errors.add(
                item.row,
                "sku",
                _(
                    "%(sku)s already has stock movements at %(store)s: opening stock is only "
                    "for a product's first stock; correct it with a stock count."
                )
                % {"sku": item.product.sku, "store": item.store.code},
            )
        else:
            to_post.append(item)
    if errors.errors:
        raise _Abort(errors.errors)
    return to_post
