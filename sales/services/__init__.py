"""Sales writes: imports (files and API), daily sales, targets, promotions."""

from .daily import daily_footfall_record, daily_sales_recompute
from .imports import (
    FIELDS,
    REQUIRED_FIELDS,
    ImportRejected,
    ImportResult,
    RowError,
    batch_progress,
    detect_encoding,
    file_preview,
    import_batch_create,
    import_batch_run,
    import_batch_start,
    import_file,
    receipts_bulk_import,
)
from .promotions import promotion_create, promotion_update
from .targets import (
    month_target_lock,
    month_target_set,
    region_targets_adjust,
    split_exact,
    store_targets_adjust,
    targets_total,
)

__all__ = [
    "FIELDS",
    "REQUIRED_FIELDS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "batch_progress",
    "daily_footfall_record",
    "daily_sales_recompute",
    "detect_encoding",
    "file_preview",
    "import_batch_create",
    "import_batch_run",
    "import_batch_start",
    "import_file",
    "month_target_lock",
    "month_target_set",
    "promotion_create",
    "promotion_update",
    "receipts_bulk_import",
    "region_targets_adjust",
    "split_exact",
    "store_targets_adjust",
    "targets_total",
]
