"""Staff writes: people, schedules and shifts, swaps, training (docs/staff.md)."""

from .people import (
    availability_set,
    employee_create,
    employee_update,
    leave_add,
    leave_delete,
    staffing_rule_set,
)
from .schedules import (
    PublishRefused,
    labor_cost,
    schedule_check,
    schedule_copy_previous,
    schedule_get_or_create,
    schedule_publish,
    shift_create,
    shift_delete,
    shift_update,
)
from .swaps import (
    employee_of,
    swap_accept,
    swap_approve,
    swap_cancel,
    swap_decline,
    swap_refuse,
    swap_request_create,
)
from .training import (
    add_months,
    assignment_complete,
    assignment_create,
    course_create,
    course_update,
    training_sweep,
)

__all__ = [
    "PublishRefused",
    "add_months",
    "assignment_complete",
    "assignment_create",
    "availability_set",
    "course_create",
    "course_update",
    "employee_create",
    "employee_of",
    "employee_update",
    "labor_cost",
    "leave_add",
    "leave_delete",
    "schedule_check",
    "schedule_copy_previous",
    "schedule_get_or_create",
    "schedule_publish",
    "shift_create",
    "shift_delete",
    "shift_update",
    "staffing_rule_set",
    "swap_accept",
    "swap_approve",
    "swap_cancel",
    "swap_decline",
    "swap_refuse",
    "swap_request_create",
    "training_sweep",
]
