from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "opsdesk.analytics.kpis"
    label = "kpis"
    verbose_name = _("KPIs")

    def ready(self) -> None:
        # Each KPI is one small module in definitions/; importing them registers them.
        from . import definitions  # noqa: F401
