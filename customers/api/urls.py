from rest_framework.routers import DefaultRouter

from . import views

app_name = "customers-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("sla-targets", views.SlaTargetViewSet, basename="slatarget")

urlpatterns = router.urls
