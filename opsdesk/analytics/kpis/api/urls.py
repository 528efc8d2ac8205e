"""/api/v1/kpis/: values, roll-ups and the registry."""

from django.urls import path

from . import views

app_name = "kpis-api"

urlpatterns = [
    path("", views.KpiValueViewSet.as_view({"get": "list"}), name="value-list"),
    path("rollups/", views.KpiRollupViewSet.as_view({"get": "list"}), name="rollup-list"),
    path(
        "definitions/",
        views.KpiDefinitionViewSet.as_view({"get": "list"}),
        name="definition-list",
    ),
]
