"""Checklist pages: call selectors and services, render templates/checklists/*.

Every view is scoped (ScopedPageMixin: login, role, out of scope = 404). A service's
ValidationError re-renders the page with the message (400); htmx row updates always
answer 200 with the row, so the message shows in place.
"""

from .actions import (  # noqa: F401
    COMPARISON_ROLES,
    ActionDetailView,
    ActionListView,
    RegionComparisonView,
)
from .common import (  # noqa: F401
    _messages,
)
from .runs import (  # noqa: F401
    AnswerSaveView,
    AuditStartView,
    PhotoView,
    RunAcknowledgeView,
    RunDetailView,
    RunFillView,
    RunReopenView,
    RunSubmitView,
    TodayView,
    _detail_with_errors,
    _fill_context,
)
from .templates import (  # noqa: F401
    ItemAddView,
    ItemDeleteView,
    SectionAddView,
    TemplateCreateView,
    TemplateDetailView,
    TemplateEditView,
    TemplateListView,
    VersionEditView,
    VersionPublishView,
    _FormInvalid,
    _VersionAction,
)
