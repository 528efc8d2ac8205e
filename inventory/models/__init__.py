"""Inventory models: the catalogue, the stock ledger and the documents that post to it."""

from .catalogue import Category, Product, ProductSupplier, Supplier
from .documents import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    Transfer,
    TransferLine,
    TransferQuerySet,
)
from .replenishment import ReplenishmentBatch
from .stock import (
    COST_BEARING_KINDS,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    WRITE_OFF_KINDS,
    MovementKind,
    ReorderRule,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
)

__all__ = [
    "COST_BEARING_KINDS",
    "INBOUND_KINDS",
    "OUTBOUND_KINDS",
    "WRITE_OFF_KINDS",
    "Category",
    "MovementKind",
    "Product",
    "ProductSupplier",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ReorderRule",
    "ReplenishmentBatch",
    "StockCount",
    "StockCountLine",
    "StockLevel",
    "StockMovement",
    "StockSnapshot",
    "StockSnapshotRun",
    "StockSnapshotSummary",
    "Supplier",
    "Transfer",
    "TransferLine",
    "TransferQuerySet",
]
