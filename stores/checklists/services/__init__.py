"""Writes of the checklist domain, one function per use case (re-exported here)."""

from .actions import (
    corrective_action_update,
    corrective_actions_notify_overdue,
    corrective_actions_open_for_run,
)
from .photos import MAX_PHOTO_BYTES, photo_create, photo_open, photo_orphans_delete
from .runs import (
    AUDIT_ROLES,
    MissingRequiredItems,
    answer_save,
    audit_start,
    run_acknowledge,
    run_reopen,
    run_submit,
    runs_create_due,
    runs_create_for_business_day,
    runs_mark_missed,
)
from .schedules import schedule_create, schedule_update
from .templates import (
    TEMPLATE_EDITORS,
    template_create,
    template_draft_get_or_create,
    template_item_add,
    template_item_delete,
    template_section_add,
    template_version_publish,
)

__all__ = [
    "AUDIT_ROLES",
    "MAX_PHOTO_BYTES",
    "TEMPLATE_EDITORS",
    "MissingRequiredItems",
    "answer_save",
    "audit_start",
    "corrective_action_update",
    "corrective_actions_notify_overdue",
    "corrective_actions_open_for_run",
    "photo_create",
    "photo_open",
    "photo_orphans_delete",
    "run_acknowledge",
    "run_reopen",
    "run_submit",
    "runs_create_due",
    "runs_create_for_business_day",
    "runs_mark_missed",
    "schedule_create",
    "schedule_update",
    "template_create",
    "template_draft_get_or_create",
    "template_item_add",
    "template_item_delete",
    "template_section_add",
    "template_version_publish",
]
