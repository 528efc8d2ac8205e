from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.AttainmentView.as_view(), name="attainment"),
    path("stores/<int:pk>/", views.StoreDayView.as_view(), name="store_day"),
    path("stores/<int:pk>/footfall/", views.FootfallRecordView.as_view(), name="footfall_record"),
    path("receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
    path("targets/", views.TargetView.as_view(), name="targets"),
    path("targets/set/", views.TargetSetView.as_view(), name="target_set"),
    path("targets/<int:pk>/lock/", views.TargetLockView.as_view(), name="target_lock"),
    path("targets/<int:pk>/regions/", views.TargetRegionsView.as_view(), name="target_regions"),
    path(
        "targets/<int:pk>/regions/<int:region>/stores/",
        views.TargetStoresView.as_view(),
        name="target_stores",
    ),
    path("store-targets/<int:pk>/", views.StoreTargetDaysView.as_view(), name="store_target_days"),
    path("promotions/", views.PromotionListView.as_view(), name="promotion_list"),
    path("promotions/new/", views.PromotionCreateView.as_view(), name="promotion_create"),
    path("promotions/<int:pk>/", views.PromotionDetailView.as_view(), name="promotion_detail"),
    path("promotions/<int:pk>/edit/", views.PromotionEditView.as_view(), name="promotion_edit"),
    path("imports/", views.ImportListView.as_view(), name="import_list"),
    path("imports/upload/", views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/start/", views.ImportStartView.as_view(), name="import_start"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.ImportErrorsView.as_view(), name="import_errors"),
    path(
        "imports/<int:pk>/rejected.csv",
        views.ImportRejectedView.as_view(),
        name="import_rejected",
    ),
]
