from django.urls import path

from . import views

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
]
