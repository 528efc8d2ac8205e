"""The pages a user can open, for the browser crawl: every page route of the access matrix
(tests/test_access_matrix.py) that the user's role may GET, with an object in their scope,
the pages every logged-in user has, the Django admin for those who may enter it, the
interactive API docs and the browsable API; and what inline code a page's HTML carries."""

import contextlib
from html.parser import HTMLParser

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.test_access_matrix import ROUTES

# Pages outside the access matrix: its PUBLIC and SPECIAL routes that are pages.
ANONYMOUS_PATHS = ["/accounts/login/", "/api/docs/", "/no-such-page/"]
LOGGED_IN_PATHS = [
    "/",
    "/accounts/password/",
    "/accounts/password/done/",
    "/api/docs/",
    "/api/v1/",
    "/api/v1/stores/",
    "/no-such-page/",
]


def role_of(user) -> str | None:
    return "admin" if user.is_superuser else (user.role or None)


def page_paths(user) -> list[str]:
    """Every page of the matrix this user's role may GET, each with its first object in scope."""
    role = role_of(user)
    paths = list(LOGGED_IN_PATHS)
    for name, route in sorted(ROUTES.items()):
        if route.kind != "page" or route.method != "get" or role not in route.roles:
            continue
        kwargs = {}
        if route.obj:
            obj = apps.get_model(route.obj).objects.visible_to(user).order_by("pk").first()
            if obj is None:
                continue
            kwargs = route.kwargs(obj) if route.kwargs else {"pk": obj.pk}
        paths.append(reverse(name, kwargs=kwargs))
    return paths


def admin_paths(user) -> list[str]:
    """The admin index, and each registered model's list, first record and add form."""
    if not user.is_staff:
        return []
    paths = ["/admin/", "/admin/password_change/"]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        paths.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            with contextlib.suppress(NoReverseMatch):  # the user admin's password form
                paths.append(reverse("admin:{}_{}_password_change".format(*info), args=[first.pk]))
    return paths


# Script types a browser executes; any other type is a data block (json_script).
_EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class InlineCode(HTMLParser):
    """Collects inline script, event handlers, javascript: URLs and inline styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = (attrs.get("type") or "").strip().lower()
        if tag == "script" and "src" not in attrs and kind in _EXECUTABLE:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            elif name == "style":
                self.found.append(f"<{tag} style=…> at line {self.getpos()[0]}")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
