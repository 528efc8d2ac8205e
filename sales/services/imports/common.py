"""What every part of the POS import shares: the canonical fields, the limits, the
result and error types."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy

from opsdesk.platform.imports import ImportRejected  # noqa: F401  (the platform's)

REQUIRED_FIELDS = (
    "store",
    "receipt_number",
    "sold_at",
    "line_number",
    "sku",
    "quantity",
    "unit_price",
    "net_amount",
)
OPTIONAL_FIELDS = ("business_date", "till", "cashier", "discount", "is_return")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
FIELD_LABELS = {
    "store": gettext_lazy("Store code"),
    "receipt_number": gettext_lazy("Receipt number"),
    "sold_at": gettext_lazy("Sold at (date and time)"),
    "line_number": gettext_lazy("Line number"),
    "sku": gettext_lazy("SKU"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "net_amount": gettext_lazy("Net amount"),
    "business_date": gettext_lazy("Business date"),
    "till": gettext_lazy("Till"),
    "cashier": gettext_lazy("Cashier"),
    "discount": gettext_lazy("Discount"),
    "is_return": gettext_lazy("Return flag"),
}
ENCODINGS = ("auto", "utf-8", "gb18030")
TRUE_VALUES = {"1", "y", "yes", "true", "t", "r", "return", "是"}
FALSE_VALUES = {"", "0", "n", "no", "false", "f", "否"}
CHUNK = 2000
FIRST_ERRORS = 200
PROGRESS_EVERY = 5000
MONEY_PLACES = Decimal("0.01")
QTY_PLACES = Decimal("0.001")
MAX_AMOUNT = Decimal("1e11")
# A quantity fits the ledger's columns (12 digits, 3 decimals) and its own limit.
MAX_QUANTITY = Decimal("1e9")
# Error reports and rejected rows stay in memory up to this size, then go to disk.
SPOOL_BYTES = 1024**2


def max_bytes() -> int:
    return int(getattr(settings, "SALES_IMPORT_MAX_BYTES", 2 * 1024**3))


def sync_max_bytes() -> int:
    """Files up to this size are imported in the request; larger ones by a Celery task."""
    return int(getattr(settings, "SALES_IMPORT_SYNC_MAX_BYTES", 1024**2))


@dataclass(frozen=True)
class RowError:
    row: str  # the file's row number (header = 1) or the API's receipts[i].lines[j]
    column: str
    message: str


@dataclass
class ParsedLine:
    store_id: int
    business_date: datetime.date
    sold_at: datetime.datetime
    receipt_number: str
    till: str
    cashier: str
    line_number: int
    sku: str
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    net_amount: Decimal

    @property
    def receipt_key(self) -> tuple[int, str, datetime.date]:
        return (self.store_id, self.receipt_number, self.business_date)


@dataclass
class ImportResult:
    rows: int = 0
    receipts_created: int = 0
    lines_created: int = 0
    duplicates: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
