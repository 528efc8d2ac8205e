"""Orders and transfer requests created from the suggestions (idempotent per key)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ...models import (
    PurchaseOrder,
    ReplenishmentBatch,
    Transfer,
)
from ...rules import STOCK_WRITERS
from .._lines import LineErrors, parse_quantity, products_by_reference
from ..orders import purchase_order_create
from ..transfers import transfer_request
from .rules import supplier_terms


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
