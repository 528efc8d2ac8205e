from rest_framework.routers import DefaultRouter

from . import replenishment, views

app_name = "inventory-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("categories", views.CategoryViewSet, basename="category")
router.register("products", views.ProductViewSet, basename="product")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("stock-levels", views.StockLevelViewSet, basename="stocklevel")
router.register("stock-movements", views.StockMovementViewSet, basename="stockmovement")
router.register("purchase-orders", views.PurchaseOrderViewSet, basename="purchaseorder")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register("stock-counts", views.StockCountViewSet, basename="stockcount")
router.register("replenishment", replenishment.ReplenishmentViewSet, basename="replenishment")

urlpatterns = router.urls
