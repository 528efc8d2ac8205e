"""Staff pages (templates/staff/*): schedules and shifts, swaps, people, training."""

from .people import (
    AvailabilityView,
    EmployeeCreateView,
    EmployeeDetailView,
    EmployeeEditView,
    EmployeeListView,
    LeaveAddView,
    LeaveDeleteView,
)
from .schedules import (
    CopyView,
    IndexView,
    MyShiftsView,
    PublishView,
    ScheduleIndexView,
    ShiftCreateView,
    ShiftDeleteView,
    ShiftEditView,
    ShiftListView,
    StaffingRuleView,
    WeekView,
)
from .swaps import SwapAskView, SwapDecideView, SwapListView, SwapRespondView
from .training import (
    AssignmentCompleteView,
    AssignmentCreateView,
    AssignmentListView,
    CourseCreateView,
    CourseEditView,
    TrainingView,
)

__all__ = [
    "AssignmentCompleteView",
    "AssignmentCreateView",
    "AssignmentListView",
    "AvailabilityView",
    "CopyView",
    "CourseCreateView",
    "CourseEditView",
    "EmployeeCreateView",
    "EmployeeDetailView",
    "EmployeeEditView",
    "EmployeeListView",
    "IndexView",
    "LeaveAddView",
    "LeaveDeleteView",
    "MyShiftsView",
    "PublishView",
    "ScheduleIndexView",
    "ShiftCreateView",
    "ShiftDeleteView",
    "ShiftEditView",
    "ShiftListView",
    "StaffingRuleView",
    "SwapAskView",
    "SwapDecideView",
    "SwapListView",
    "SwapRespondView",
    "TrainingView",
    "WeekView",
]
