"""Replenishment: velocity-based reorder rules, suggestions, and turning them into draft
purchase orders (one per supplier) or transfer requests from stores of the same region.

The rules (docs/inventory.md, "Replenishment"):

- demand of a day = −(sum of ``sale`` and ``customer_return`` quantities) on that business
  date (the store's local date); the window is the ``VELOCITY_DAYS`` complete business
  days before the store's current business date, days without sales counting as zero;
- velocity ``v`` = window demand ÷ window days; ``σ`` = population standard deviation of
  the daily demand over the window;
- lead time ``L`` = the product terms' lead time, else the supplier's (preferred terms
  first); review period ``R`` = ``REVIEW_PERIOD_DAYS``; ``z`` = ``SAFETY_Z``;
- safety stock = z × σ × √L; reorder point = v × L + safety stock; order-up-to = reorder
  point + v × R; each rounded half-up to 3 decimals, never below zero.

A rule with method ``manual`` is never changed; ``velocity`` rules are recomputed, and a
``velocity`` rule is created for every active product a store holds or sold in the window
that has no rule yet.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.db import bulk_update_values
from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ..models import (
    MovementKind,
    Product,
    ProductSupplier,
    PurchaseOrder,
    ReorderRule,
    ReplenishmentBatch,
    StockLevel,
    StockMovement,
    Transfer,
)
from ..rules import QTY_PLACES, REVIEW_PERIOD_DAYS, STOCK_WRITERS, VELOCITY_DAYS
from ._lines import LineErrors, parse_quantity, products_by_reference
from .orders import purchase_order_create
from .transfers import transfer_request

ZERO = Decimal("0")
# z of the service level the safety stock covers (1.65 ≈ 95 % of lead-time demand).
SAFETY_Z = Decimal(str(getattr(settings, "INVENTORY_SAFETY_Z", "1.65")))
DEMAND_KINDS = (MovementKind.SALE, MovementKind.CUSTOMER_RETURN)
# Stores whose rules are computed and who may give or get stock: not closed, not planned.
ACTIVE_STORE_STATUSES = (Store.Status.OPEN, Store.Status.TEMPORARILY_CLOSED)
RuleMethod = ReorderRule.Method


# --- velocity and reorder rules -------------------------------------------------------


def velocity_window(store: Store, *, now: datetime.datetime | None = None):
    """(first, last) business dates of the trailing window: the complete days before the
    store's current business date."""
    last = store.business_date(now) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=VELOCITY_DAYS - 1), last


def demand_totals(
    stores: list[Store], *, now: datetime.datetime | None = None
) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """{(store id, product id): (Σ daily demand, Σ daily demand²)} over each store's
    window, in one query (days are summed in the database, then squared and summed)."""
    windows: dict[tuple, list[int]] = defaultdict(list)
    for store in stores:
        windows[velocity_window(store, now=now)].append(store.pk)
    if not windows:
        return {}
    table = connection.ops.quote_name(StockMovement._meta.db_table)
    where, params = [], [str(k) for k in DEMAND_KINDS]
    for (first, last), ids in windows.items():
        where.append(
            f"(store_id IN ({', '.join(['%s'] * len(ids))}) AND business_date BETWEEN %s AND %s)"
        )
        params += [*ids, first, last]
    sql = f"""
        SELECT store_id, product_id, SUM(demand), SUM(demand * demand)
        FROM (
            SELECT store_id, product_id, business_date, -SUM(quantity) AS demand
            FROM {table}
            WHERE kind IN (%s, %s) AND ({" OR ".join(where)})
            GROUP BY store_id, product_id, business_date
        ) AS daily
        GROUP BY store_id, product_id
    """  # noqa: S608 - only placeholders and our own table name are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (store_id, product_id): (Decimal(str(total)), Decimal(str(total_sq)))
            for store_id, product_id, total, total_sq in cursor.fetchall()
        }


def _q(value: Decimal) -> Decimal:
    return max(value, ZERO).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RuleValues:
    velocity: Decimal
    sigma: Decimal
    safety_stock: Decimal
    reorder_point: Decimal
    order_up_to: Decimal


def rule_values(
    *,
    total: Decimal,
    total_sq: Decimal,
    lead_time_days: int,
    window_days: int = VELOCITY_DAYS,
    review_days: int = REVIEW_PERIOD_DAYS,
    z: Decimal = SAFETY_Z,
) -> RuleValues:
    """The reorder rule of one store and product from its window's demand sums."""
    days = Decimal(window_days)
    velocity = max(total / days, ZERO)
    mean = total / days
    variance = max(total_sq / days - mean * mean, ZERO)
    sigma = variance.sqrt()
    lead = Decimal(lead_time_days)
    safety = _q(z * sigma * lead.sqrt())
    reorder_point = _q(velocity * lead + safety)
    order_up_to = max(_q(velocity * (lead + Decimal(review_days)) + safety), reorder_point)
    return RuleValues(velocity, sigma, safety, reorder_point, order_up_to)


def supplier_terms(product_ids=None) -> dict[int, ProductSupplier]:
    """{product id: the terms replenishment orders under}: the preferred terms, else the
    first by supplier code; active suppliers only. One query."""
    terms = ProductSupplier.objects.filter(supplier__active=True).select_related("supplier")
    if product_ids is not None:
        terms = terms.filter(product_id__in=list(product_ids))
    chosen: dict[int, ProductSupplier] = {}
    for term in terms.order_by("product_id", "-preferred", "supplier__code"):
        chosen.setdefault(term.product_id, term)
    return chosen


def lead_time_of(term: ProductSupplier | None) -> int:
    if term is None:
        return 0
    if term.lead_time_days is not None:
        return term.lead_time_days
    return term.supplier.lead_time_days


def reorder_rules_recompute(
    *, store_ids: list[int] | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Recompute every ``velocity`` rule (and create missing ones) of the given stores, or
    of every active store. A system job: no user, no scope. Running it twice with the
    same ledger changes nothing the second time. Returns counts."""
    stores = Store.objects.filter(status__in=ACTIVE_STORE_STATUSES).order_by("pk")
    if store_ids is not None:
        stores = stores.filter(pk__in=store_ids)
    stores = list(stores)
    ids = [s.pk for s in stores]
    totals = demand_totals(stores, now=now)
    active = set(Product.objects.filter(active=True).values_list("pk", flat=True))
    held = set(
        StockLevel.objects.filter(store__in=ids, product__active=True)
        .exclude(on_hand=0)
        .values_list("store_id", "product_id")
    )
    wanted = held | {key for key in totals if key[1] in active}
    terms = supplier_terms()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "manual": 0}
    with transaction.atomic():
        existing = {
            (rule.store_id, rule.product_id): rule
            for rule in ReorderRule.objects.filter(store__in=ids).select_for_update().order_by("pk")
        }
        changed, new = [], []
        for key in sorted(wanted | set(existing)):
            rule = existing.get(key)
            if rule is not None and rule.method != RuleMethod.VELOCITY:
                counts["manual"] += 1
                continue
            total, total_sq = totals.get(key, (ZERO, ZERO))
            values = rule_values(
                total=total, total_sq=total_sq, lead_time_days=lead_time_of(terms.get(key[1]))
            )
            fields = {
                "reorder_point": values.reorder_point,
                "order_up_to": values.order_up_to,
                "safety_stock": values.safety_stock,
            }
            if rule is None:
                new.append(
                    ReorderRule(
                        store_id=key[0], product_id=key[1], method=RuleMethod.VELOCITY, **fields
                    )
                )
            elif any(getattr(rule, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(rule, name, value)
                rule.updated_at = timezone.now()
                changed.append(rule)
            else:
                counts["unchanged"] += 1
        # A rule set by hand meanwhile (a conflict) wins over the new velocity rule.
        ReorderRule.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        bulk_update_values(ReorderRule, changed, RULE_FIELDS)
    counts["created"], counts["updated"] = len(new), len(changed)
    return counts


RULE_FIELDS = ["reorder_point", "order_up_to", "safety_stock", "updated_at"]


# --- suggestions ----------------------------------------------------------------------


def round_to_pack(quantity: Decimal, *, pack_size: int, minimum: Decimal) -> Decimal:
    """Raise a quantity to the minimum order quantity, then up to whole packs."""
    quantity = max(quantity, minimum)
    pack = Decimal(max(pack_size, 1))
    return ((quantity / pack).to_integral_value(rounding=ROUND_CEILING) * pack).quantize(QTY_PLACES)


@dataclass
class TransferOption:
    store: Store
    quantity: Decimal
    excess: Decimal


@dataclass
class SuggestionLine:
    rule: ReorderRule
    term: ProductSupplier | None
    on_hand: Decimal
    on_order: Decimal
    need: Decimal
    suggested: Decimal
    transfer: TransferOption | None = None
    # Set by the page: the quantity shown in the field and the line's error, if any.
    value: str = ""
    transfer_value: str = ""
    error: str = ""

    @property
    def product(self) -> Product:
        return self.rule.product

    @property
    def store(self) -> Store:
        return self.rule.store

    @property
    def supplier(self):
        return self.term.supplier if self.term else None

    @property
    def pack_size(self) -> int:
        return self.term.pack_size if self.term else 1

    @property
    def min_order_quantity(self) -> Decimal:
        return self.term.min_order_quantity if self.term else ZERO

    @property
    def unit_cost(self) -> Decimal:
        return self.term.unit_cost if self.term else self.rule.product.cost


@dataclass
class SupplierGroup:
    supplier: object
    lines: list[SuggestionLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.suggested * line.unit_cost for line in self.lines), ZERO)


@dataclass
class TransferGroup:
    source: Store
    lines: list[SuggestionLine] = field(default_factory=list)


def suggestion_lines(rules: list[ReorderRule]) -> list[SuggestionLine]:
    """Decorate rules annotated by ``selectors.replenishment_rule_list`` (on_hand,
    on_order) with their supplier terms, rounded quantities and the best transfer from
    a store of the same region: two queries, whatever the number of lines."""
    terms = supplier_terms({rule.product_id for rule in rules})
    lines = []
    for rule in rules:
        term = terms.get(rule.product_id)
        need = rule.order_up_to - rule.on_hand - rule.on_order
        suggested = (
            round_to_pack(need, pack_size=term.pack_size, minimum=term.min_order_quantity)
            if term
            else need.quantize(QTY_PLACES, rounding=ROUND_CEILING)
        )
        lines.append(
            SuggestionLine(
                rule=rule,
                term=term,
                on_hand=rule.on_hand,
                on_order=rule.on_order,
                need=need,
                suggested=suggested,
            )
        )
    _attach_transfers(lines)
    return lines


def _attach_transfers(lines: list[SuggestionLine]) -> None:
    """For each short line, the store of the same region (not the line's store, active)
    with the most stock above its own order-up-to level; quantity = min(need, excess)."""
    if not lines:
        return
    from .. import selectors

    excess = selectors.replenishment_excess_list(
        region_ids={line.store.region_id for line in lines},
        product_ids={line.rule.product_id for line in lines},
    )
    best: dict[tuple[int, int], list] = defaultdict(list)
    for level in excess:
        best[(level.store.region_id, level.product_id)].append(level)
    for line in lines:
        for level in best.get((line.store.region_id, line.rule.product_id), []):
            if level.store_id == line.store.pk:
                continue
            quantity = min(line.need, level.excess).quantize(QTY_PLACES)
            if quantity > 0:
                line.transfer = TransferOption(level.store, quantity, level.excess)
            break


def group_by_supplier(lines: list[SuggestionLine]) -> list[SupplierGroup]:
    groups: dict[int | None, SupplierGroup] = {}
    for line in lines:
        supplier = line.supplier
        key = supplier.pk if supplier else None
        groups.setdefault(key, SupplierGroup(supplier)).lines.append(line)
    return sorted(
        groups.values(), key=lambda g: (g.supplier is None, g.supplier.code if g.supplier else "")
    )


def group_by_transfer_source(lines: list[SuggestionLine]) -> list[TransferGroup]:
    groups: dict[int, TransferGroup] = {}
    for line in lines:
        if line.transfer is not None:
            store = line.transfer.store
            groups.setdefault(store.pk, TransferGroup(store)).lines.append(line)
    return sorted(groups.values(), key=lambda g: g.source.code)


# --- writes: purchase orders and transfer requests ------------------------------------


def _lines_error(errors: LineErrors, by_product: dict[str, str]) -> ValidationError:
    error = ValidationError({"lines": errors.messages})
    error.by_product = by_product
    return error


def _clean_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(
            {"key": _("This form has expired: reload the page and submit it again.")}
        )
    return key


def _replay(store: Store, key: str) -> ReplenishmentBatch | None:
    batch = ReplenishmentBatch.objects.filter(key=key).first()
    if batch is not None and batch.store_id != store.pk:
        raise ValidationError(
            {"key": _("This form has expired: reload the page and submit it again.")}
        )
    return batch


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass
class BatchResult:
    batch: ReplenishmentBatch
    created: bool

    @property
    def purchase_orders(self) -> QuerySet[PurchaseOrder]:
        return self.batch.purchase_orders.order_by("pk")

    @property
    def transfers(self) -> QuerySet[Transfer]:
        return self.batch.transfers.order_by("pk")


def replenishment_orders_create(*, user, store: Store, lines: list[dict], key: str) -> BatchResult:
    """One draft purchase order per supplier from the (edited) suggestion lines, through
    ``purchase_order_create``. Each line: ``product`` (id, SKU or barcode) and
    ``quantity`` (0 leaves it out). Quantities must be whole packs and reach the minimum
    order quantity. All or nothing: any bad line refuses everything, with a message per
    line. The same ``key`` twice returns the first result and creates nothing."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    key = _clean_key(key)
    with transaction.atomic():
        # One action per store at a time: a double submit waits here, then replays.
        Store.objects.select_for_update().filter(pk=store.pk).first()
        done = _replay(store, key)
        if done is not None:
            return BatchResult(done, created=False)
        products = products_by_reference([line.get("product") for line in lines])
        terms = supplier_terms([p.pk for p in products.values()])
        errors, by_product, seen = LineErrors(), {}, set()
        orders: dict[int, tuple] = {}

        def refuse(number, product, message):
            errors.add(number, message, product.sku if product else "")
            if product is not None:
                by_product[str(product.pk)] = message

        for number, line in enumerate(lines, start=1):
            product = products.get(str(line.get("product", "")).strip())
            if product is None:
                refuse(number, None, _("Unknown product."))
                continue
            if product.pk in seen:
                refuse(number, product, _("This product is on the list twice."))
                continue
            seen.add(product.pk)
            try:
                quantity = parse_quantity(line.get("quantity"), allow_zero=True)
            except ValueError as error:
                refuse(number, product, str(error))
                continue
            if quantity == 0:
                continue
            term = terms.get(product.pk)
            if not product.active:
                refuse(number, product, _("This product is no longer active."))
            elif term is None:
                refuse(number, product, _("No active supplier sells this product."))
            elif quantity < term.min_order_quantity:
                refuse(
                    number,
                    product,
                    _("The minimum order quantity is %(minimum)s.")
                    % {"minimum": term.min_order_quantity.normalize()},
                )
            elif quantity % term.pack_size:
                refuse(
                    number,
                    product,
                    _("This product comes in packs of %(pack)s: enter a multiple of %(pack)s.")
                    % {"pack": term.pack_size},
                )
            else:
                orders.setdefault(term.supplier_id, (term.supplier, []))[1].append(
                    {"product": product.pk, "quantity": quantity}
                )
        if errors.messages:
            raise _lines_error(errors, by_product)
        if not orders:
            raise ValidationError({"lines": _("Nothing to order: every quantity is 0.")})
        created = [
            purchase_order_create(
                user=user,
                store=store,
                supplier=supplier,
                lines=order_lines,
                note=_("Replenishment suggestion"),
            )
            for supplier, order_lines in sorted(orders.values(), key=lambda o: o[0].code)
        ]
        batch = ReplenishmentBatch.objects.create(store=store, key=key, created_by=user)
        batch.purchase_orders.add(*created)
    return BatchResult(batch, created=True)


def replenishment_transfer_request(
    *, user, store: Store, source_store: Store, lines: list[dict], key: str
) -> BatchResult:
    """Request a transfer to ``store`` from a store of the same region, through
    ``transfer_request`` (which checks who may name which stores). Lines as for orders;
    0 leaves a line out. The same ``key`` twice returns the first transfer."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    key = _clean_key(key)
    if source_store.region_id != store.region_id or source_store.pk == store.pk:
        raise ValidationError(
            {"source_store": _("Stock can only come from another store of the same region.")}
        )
    with transaction.atomic():
        Store.objects.select_for_update().filter(pk=store.pk).first()
        done = _replay(store, key)
        if done is not None:
            return BatchResult(done, created=False)
        errors, by_product, wanted = LineErrors(), {}, []
        products = products_by_reference([line.get("product") for line in lines])
        for number, line in enumerate(lines, start=1):
            product = products.get(str(line.get("product", "")).strip())
            try:
                quantity = parse_quantity(line.get("quantity"), allow_zero=True)
            except ValueError as error:
                errors.add(number, str(error), product.sku if product else "")
                if product is not None:
                    by_product[str(product.pk)] = str(error)
                continue
            if quantity:
                wanted.append({"product": line.get("product"), "quantity": quantity})
        if errors.messages:
            raise _lines_error(errors, by_product)
        if not wanted:
            raise ValidationError({"lines": _("Nothing to transfer: every quantity is 0.")})
        transfer = transfer_request(
            user=user,
            source_store=source_store,
            destination_store=store,
            lines=wanted,
            note=_("Replenishment suggestion"),
        )
        batch = ReplenishmentBatch.objects.create(store=store, key=key, created_by=user)
        batch.transfers.add(transfer)
    return BatchResult(batch, created=True)
