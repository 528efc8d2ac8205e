from rest_framework.routers import DefaultRouter

from . import views

app_name = "staff-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("employees", views.EmployeeViewSet, basename="employee")
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("schedules", views.ScheduleViewSet, basename="schedule")
router.register("swaps", views.SwapRequestViewSet, basename="swaprequest")
router.register("training-courses", views.CourseViewSet, basename="course")
router.register("training-assignments", views.TrainingAssignmentViewSet, basename="assignment")

urlpatterns = router.urls
