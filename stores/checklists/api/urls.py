from rest_framework.routers import DefaultRouter

from .views import (
    ChecklistPhotoViewSet,
    ChecklistRunViewSet,
    ChecklistScheduleViewSet,
    ChecklistTemplateViewSet,
    CorrectiveActionViewSet,
    TemplateVersionViewSet,
)

app_name = "checklists-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("templates", ChecklistTemplateViewSet, basename="template")
router.register("template-versions", TemplateVersionViewSet, basename="templateversion")
router.register("schedules", ChecklistScheduleViewSet, basename="schedule")
router.register("runs", ChecklistRunViewSet, basename="run")
router.register("corrective-actions", CorrectiveActionViewSet, basename="correctiveaction")
router.register("photos", ChecklistPhotoViewSet, basename="photo")

urlpatterns = router.urls
