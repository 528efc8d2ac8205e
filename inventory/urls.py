from django.urls import path

from . import views
from . import views_replenishment as replenishment

app_name = "inventory"

urlpatterns = [
    path("", views.StockLevelListView.as_view(), name="stocklevel_list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("orders/", views.PurchaseOrderListView.as_view(), name="purchaseorder_list"),
    path("orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="purchaseorder_detail"),
    path(
        "orders/<int:pk>/<slug:action>/",
        views.PurchaseOrderActionView.as_view(),
        name="purchaseorder_action",
    ),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path(
        "transfers/<int:pk>/<slug:action>/",
        views.TransferActionView.as_view(),
        name="transfer_action",
    ),
    path("counts/", views.StockCountListView.as_view(), name="stockcount_list"),
    path("counts/new/", views.StockCountCreateView.as_view(), name="stockcount_create"),
    path("counts/<int:pk>/", views.StockCountDetailView.as_view(), name="stockcount_detail"),
    path(
        "counts/<int:pk>/<slug:action>/",
        views.StockCountActionView.as_view(),
        name="stockcount_action",
    ),
    path("count-lines/<int:pk>/", views.StockCountLineView.as_view(), name="stockcount_line"),
    # Replenishment (views_replenishment.py).
    path(
        "replenishment/", replenishment.ReplenishmentIndexView.as_view(), name="replenishment_index"
    ),
    path(
        "replenishment/<int:pk>/",
        replenishment.ReplenishmentStoreView.as_view(),
        name="replenishment_store",
    ),
    path(
        "replenishment/<int:pk>/orders/",
        replenishment.ReplenishmentOrdersView.as_view(),
        name="replenishment_orders",
    ),
    path(
        "replenishment/<int:pk>/transfers/",
        replenishment.ReplenishmentTransferView.as_view(),
        name="replenishment_transfer",
    ),
    # Imports, write-offs, new orders and transfers (invforms).
    path("orders/new/", views.PurchaseOrderCreateView.as_view(), name="purchaseorder_create"),
    path("transfers/new/", views.TransferCreateView.as_view(), name="transfer_create"),
    path("line-row/", views.LineRowView.as_view(), name="line_row"),
    path("write-offs/new/", views.WriteOffView.as_view(), name="writeoff_create"),
    path("import/catalogue/", views.CatalogueImportView.as_view(), name="catalogue_import"),
    path(
        "import/catalogue/errors.csv",
        views.CatalogueImportErrorsView.as_view(),
        name="catalogue_import_errors",
    ),
    path("import/opening-stock/", views.OpeningStockImportView.as_view(), name="opening_import"),
    path(
        "import/opening-stock/errors.csv",
        views.OpeningImportErrorsView.as_view(),
        name="opening_import_errors",
    ),
]
