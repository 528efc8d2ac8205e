"""The checklist part of the demo chain: templates (English and Chinese), schedules, and
``days`` of history: runs (mostly on time, some late or missed), answers with failures,
corrective actions (some overdue), a few visit audits and their notifications.

Deterministic for a seed and ``today``; bulk inserts only, so 200 stores × 30 days stay
fast. Called by ``manage.py seed_demo`` after ``stores.demo.seed_stores``.
"""

from .history import (  # noqa: F401
    _action,
    _answer,
    _outcome,
    _store_photos,
    seed_checklists,
)
from .templates import (  # noqa: F401
    CLEANLINESS,
    SCHEDULES,
    TEMPLATES,
    photo,
    seed_templates,
    temp,
    yn,
)
