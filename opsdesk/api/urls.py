"""/api/v1/: each domain app contributes its router; nothing else lives here."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

from .views import MeView

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("stores.api.urls")),
    path("inventory/", include("inventory.api.urls")),
    path("sales/", include("sales.api.urls")),
    path("checklists/", include("stores.checklists.api.urls")),
    path("customers/", include("customers.api.urls")),
    path("staff/", include("staff.api.urls")),
    path("kpis/", include("opsdesk.analytics.kpis.api.urls")),
    path("", include("opsdesk.analytics.reports.api.urls")),
]
