"""Checklists and visit audits: versioned templates, schedules, runs, answers, photos,
corrective actions, under the app label ``stores`` (loaded by ``stores/apps.py``).

The rules (versioning, scoring, timeliness, schedules) are in ``docs/checklists.md``;
the workflow lives in ``services.py``. Templates, their versions, sections and items
are chain-wide configuration: everyone with a role reads them, head office writes them.
"""

from .actions import (  # noqa: F401
    CorrectiveAction,
)
from .runs import (  # noqa: F401
    Answer,
    AnswerHistory,
    ChecklistPhoto,
    ChecklistRun,
    RunEvent,
)
from .templates import (  # noqa: F401
    ChecklistSchedule,
    ChecklistTemplate,
    ScheduleQuerySet,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
