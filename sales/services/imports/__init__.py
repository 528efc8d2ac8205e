"""POS imports: CSV files and the bulk API go through the same two passes.

1. **Validate** (no transaction, nothing written): stream every row, parse it once
   (``parse_fast``, else ``parse_row`` for every problem), check stores (unknown and
   out-of-scope alike), SKUs, dates, numbers, returns, duplicate lines in the input.
   Errors go to a CSV report as they are found (row, column, message). On PostgreSQL the
   good rows are streamed by ``COPY`` to a temporary table as they are parsed.
2. **Write** (one transaction): skip receipts that already exist (idempotent), insert
   receipts and lines, post sale / customer-return movements to the stock ledger, and
   recompute the touched store-days' ``DailySales``: set-based from the temporary table
   on PostgreSQL (``staging``), else by reading the rows again in chunks (``posting``).

In all-or-nothing mode any error stops after pass 1 with nothing written. In good-rows
mode, every receipt with a bad line is left out whole and its rows are returned as a
file with an ``errors`` column. The file is never read whole into memory.

The package: ``common`` (fields, limits, result types), ``reading`` (the CSV stream),
``parsing`` (one row), ``validation`` (pass 1), ``staging`` and ``posting`` (pass 2) and
``batches`` (the entry points). Everything is re-exported here.
"""

from .batches import (
    batch_progress,
    import_batch_create,
    import_batch_run,
    import_batch_start,
    import_file,
    receipts_bulk_import,
)
from .common import (
    CHUNK,
    ENCODINGS,
    FALSE_VALUES,
    FIELD_LABELS,
    FIELDS,
    FIRST_ERRORS,
    MAX_AMOUNT,
    MONEY_PLACES,
    OPTIONAL_FIELDS,
    PROGRESS_EVERY,
    QTY_PLACES,
    REQUIRED_FIELDS,
    TRUE_VALUES,
    ImportRejected,
    ImportResult,
    ParsedLine,
    RowError,
    max_bytes,
    sync_max_bytes,
)
from .parsing import parse_row
from .posting import sale_movement, sale_movement_at
from .reading import csv_rows, detect_encoding, file_preview

__all__ = [
    "CHUNK",
    "ENCODINGS",
    "FALSE_VALUES",
    "FIELDS",
    "FIELD_LABELS",
    "FIRST_ERRORS",
    "MAX_AMOUNT",
    "MONEY_PLACES",
    "OPTIONAL_FIELDS",
    "PROGRESS_EVERY",
    "QTY_PLACES",
    "REQUIRED_FIELDS",
    "TRUE_VALUES",
    "ImportRejected",
    "ImportResult",
    "ParsedLine",
    "RowError",
    "batch_progress",
    "csv_rows",
    "detect_encoding",
    "file_preview",
    "import_batch_create",
    "import_batch_run",
    "import_batch_start",
    "import_file",
    "max_bytes",
    "parse_row",
    "receipts_bulk_import",
    "sale_movement",
    "sale_movement_at",
    "sync_max_bytes",
]
