from django.contrib import admin
from django.urls import include, path

from . import views
from .api.views import SchemaView, SwaggerView
from .platform import csp

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", csp.csp_report, name="csp-report"),
    path("accounts/", include("opsdesk.platform.accounts.urls")),
    path("stores/", include("stores.urls")),
    path("inventory/", include("inventory.urls")),
    path("sales/", include("sales.urls")),
    path("checklists/", include("stores.checklists.urls")),
    path("customers/", include("customers.urls")),
    path("staff/", include("staff.urls")),
    path("notifications/", include("opsdesk.platform.notifications.urls")),
    path("reports/", include("opsdesk.analytics.reports.urls")),
    path("dashboards/", include("opsdesk.analytics.dashboards.urls")),
    path("kpis/", include("opsdesk.analytics.kpis.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("opsdesk.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
