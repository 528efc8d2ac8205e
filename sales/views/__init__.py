"""Sales pages: selectors for reads, services for writes, templates/sales/*."""

from .common import (  # noqa: F401
    _csv_download,
    _date,
    _errors,
    _file_download,
    _form_errors,
    _month,
)
from .days import (  # noqa: F401
    AttainmentView,
    FootfallRecordView,
    ReceiptDetailView,
    StoreDayView,
)
from .imports import (  # noqa: F401
    ImportDetailView,
    ImportErrorsView,
    ImportListView,
    ImportProgressView,
    ImportRejectedView,
    ImportStartView,
    ImportUploadView,
    _BatchView,
    _preview,
)
from .promotions import (  # noqa: F401
    PromotionCreateView,
    PromotionDetailView,
    PromotionEditView,
    PromotionListView,
)
from .targets import (  # noqa: F401
    StoreTargetDaysView,
    TargetLockView,
    TargetRegionsView,
    TargetSetView,
    TargetStoresView,
    TargetView,
    _missing_amounts,
    _TargetChange,
)
