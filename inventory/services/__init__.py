"""Inventory writes: one function per use case (keyword-only, atomic, scope-checked)."""

from .catalogue import (
    category_create,
    category_update,
    product_create,
    product_supplier_set,
    product_update,
    supplier_create,
    supplier_update,
)
from .counts import (
    stock_count_approve,
    stock_count_cancel,
    stock_count_create,
    stock_count_line_set,
    stock_count_post,
    stock_count_submit,
)
from .imports import catalogue_import, opening_stock_import
from .ledger import (
    MovementSpec,
    apply_movement,
    stock_levels_check,
    stock_movement_post,
    stock_movements_post,
)
from .orders import (
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_submit,
    supplier_return_post,
)
from .replenishment import (
    reorder_rules_recompute,
    replenishment_orders_create,
    replenishment_transfer_request,
)
from .snapshots import stock_snapshot_take, stores_due_for_snapshot
from .transfers import (
    transfer_approve,
    transfer_cancel,
    transfer_receive,
    transfer_request,
    transfer_ship,
)
from .writeoffs import WriteOffReason, stock_write_off_post

__all__ = [
    "MovementSpec",
    "WriteOffReason",
    "apply_movement",
    "catalogue_import",
    "category_create",
    "category_update",
    "opening_stock_import",
    "product_create",
    "product_supplier_set",
    "product_update",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_receive",
    "purchase_order_submit",
    "reorder_rules_recompute",
    "replenishment_orders_create",
    "replenishment_transfer_request",
    "stock_count_approve",
    "stock_count_cancel",
    "stock_count_create",
    "stock_count_line_set",
    "stock_count_post",
    "stock_count_submit",
    "stock_levels_check",
    "stock_movement_post",
    "stock_movements_post",
    "stock_snapshot_take",
    "stock_write_off_post",
    "stores_due_for_snapshot",
    "supplier_create",
    "supplier_return_post",
    "supplier_update",
    "transfer_approve",
    "transfer_cancel",
    "transfer_receive",
    "transfer_request",
    "transfer_ship",
]
