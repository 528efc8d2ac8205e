from rest_framework.routers import DefaultRouter

from .views import RegionViewSet, StoreViewSet

app_name = "stores-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", RegionViewSet, basename="region")
router.register("stores", StoreViewSet, basename="store")

urlpatterns = router.urls
