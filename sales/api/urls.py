from rest_framework.routers import DefaultRouter

from . import views

app_name = "sales-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("receipts", views.ReceiptViewSet, basename="receipt")
router.register("daily", views.DailySalesViewSet, basename="dailysales")
router.register("targets", views.MonthTargetViewSet, basename="monthtarget")
router.register("store-targets", views.StoreTargetViewSet, basename="storetarget")
router.register("attainment", views.AttainmentViewSet, basename="attainment")
router.register("promotions", views.PromotionViewSet, basename="promotion")
router.register("imports", views.ImportBatchViewSet, basename="importbatch")

urlpatterns = router.urls
