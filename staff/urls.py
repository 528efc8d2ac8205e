import datetime

from django.urls import path, register_converter

from . import views

app_name = "staff"


class WeekConverter:
    """A date as YYYY-MM-DD (the week's Monday; another day redirects to it)."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)  # ValueError: no match, a 404

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)


register_converter(WeekConverter, "week")

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("my-shifts/", views.MyShiftsView.as_view(), name="my_shifts"),
    path("schedules/", views.ScheduleIndexView.as_view(), name="schedule_index"),
    path("stores/<int:pk>/weeks/<week:week>/", views.WeekView.as_view(), name="schedule_week"),
    path(
        "stores/<int:pk>/weeks/<week:week>/shifts/",
        views.ShiftCreateView.as_view(),
        name="shift_create",
    ),
    path(
        "stores/<int:pk>/weeks/<week:week>/publish/",
        views.PublishView.as_view(),
        name="schedule_publish",
    ),
    path("stores/<int:pk>/weeks/<week:week>/copy/", views.CopyView.as_view(), name="schedule_copy"),
    path("stores/<int:pk>/staffing/", views.StaffingRuleView.as_view(), name="staffing_rule_set"),
    path("shifts/", views.ShiftListView.as_view(), name="shift_list"),
    path("shifts/<int:pk>/edit/", views.ShiftEditView.as_view(), name="shift_edit"),
    path("shifts/<int:pk>/delete/", views.ShiftDeleteView.as_view(), name="shift_delete"),
    path("shifts/<int:pk>/swap/", views.SwapAskView.as_view(), name="swap_ask"),
    path("swaps/", views.SwapListView.as_view(), name="swap_list"),
    path("swaps/<int:pk>/respond/", views.SwapRespondView.as_view(), name="swap_respond"),
    path("swaps/<int:pk>/decide/", views.SwapDecideView.as_view(), name="swap_decide"),
    path("employees/", views.EmployeeListView.as_view(), name="employee_list"),
    path("employees/new/", views.EmployeeCreateView.as_view(), name="employee_create"),
    path("employees/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee_detail"),
    path("employees/<int:pk>/edit/", views.EmployeeEditView.as_view(), name="employee_edit"),
    path(
        "employees/<int:pk>/availability/",
        views.AvailabilityView.as_view(),
        name="availability_set",
    ),
    path("employees/<int:pk>/leave/", views.LeaveAddView.as_view(), name="leave_add"),
    path(
        "employees/<int:pk>/leave/<int:leave>/delete/",
        views.LeaveDeleteView.as_view(),
        name="leave_delete",
    ),
    path("training/", views.TrainingView.as_view(), name="training"),
    path("training/courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("training/courses/<int:pk>/edit/", views.CourseEditView.as_view(), name="course_edit"),
    path("training/assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path(
        "training/assignments/new/",
        views.AssignmentCreateView.as_view(),
        name="assignment_create",
    ),
    path(
        "training/assignments/<int:pk>/complete/",
        views.AssignmentCompleteView.as_view(),
        name="assignment_complete",
    ),
]
