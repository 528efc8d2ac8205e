from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardIndexView.as_view(), name="index"),
    path("chain/", views.ChainDashboardView.as_view(), name="chain"),
    path("regions/<int:pk>/", views.RegionDashboardView.as_view(), name="region"),
    path("stores/<int:pk>/", views.StoreDashboardView.as_view(), name="store"),
    path("stores/<int:pk>/kpis/<slug:code>/", views.StoreKpiView.as_view(), name="store_kpi"),
    path("out-of-band/", views.OutOfBandView.as_view(), name="out_of_band"),
]
