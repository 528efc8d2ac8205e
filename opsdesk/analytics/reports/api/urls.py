from rest_framework.routers import DefaultRouter

from . import views

app_name = "reports-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("exports", views.ExportJobViewSet, basename="export")

urlpatterns = router.urls
