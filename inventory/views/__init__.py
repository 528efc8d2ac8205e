"""Inventory pages: selectors for reads, services for writes, templates/inventory/*."""

from .common import (  # noqa: F401
    ActionView,
    FilteredListView,
    _errors,
    _form_errors,
    _writable_stores,
)
from .counts import (  # noqa: F401
    StockCountActionView,
    StockCountCreateView,
    StockCountDetailView,
    StockCountLineView,
    StockCountListView,
    _count_form,
)
from .documents import (  # noqa: F401
    ProductDetailView,
    PurchaseOrderActionView,
    PurchaseOrderDetailView,
    PurchaseOrderListView,
    StockLevelListView,
    TransferActionView,
    TransferDetailView,
    TransferListView,
)
from .imports import (  # noqa: F401
    ERRORS_KEPT,
    ERRORS_SHOWN,
    CatalogueImportErrorsView,
    CatalogueImportView,
    OpeningImportErrorsView,
    OpeningStockImportView,
    _ImportErrorsView,
    _ImportView,
    _session_key,
)
from .writes import (  # noqa: F401
    LineRowView,
    PurchaseOrderCreateView,
    TransferCreateView,
    WriteOffView,
    _LinesCreateView,
)
