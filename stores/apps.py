from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Stores")
    # The checklists domain (stores/checklists/) keeps its models under this app's label
    # (its tables and migrations are the stores app's), but the store root imports no
    # domain: the app registry loads the domain's models and admin by name. Its Celery
    # tasks are autodiscovered by opsdesk/celery.py.
    domain_packages = ("stores.checklists",)

    def import_models(self) -> None:
        super().import_models()
        for package in self.domain_packages:
            import_module(f"{package}.models")

    def ready(self) -> None:
        for package in self.domain_packages:
            import_module(f"{package}.admin")
