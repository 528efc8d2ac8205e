"""The one scoping mechanism: who may see which store's records.

- ``ScopedQuerySet.visible_to(user)`` filters any model by its declared path to a store
  (``scope_store_path``) or to a region (``scope_region_path``). Deny by default: a user
  with no role or no assignment sees nothing; a model with no path raises.
- ``ensure_store_in_scope`` is the check services make on every create and update.
- ``ScopedPageMixin`` (pages) and ``ScopedAPIMixin`` (API viewsets) apply it in
  ``get_queryset()``, so an out-of-scope object answers 404, never 403.

Store managers and staff see the stores they are assigned to; regional ops see every
store of their regions; head office and admins see everything.

``stores.models`` imports this module, so it reads the models through the app registry.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from opsdesk.platform.roles import ALL_ROLES, CHAIN_ROLES, STORE_ROLES, Role, user_role
from opsdesk.platform.roles import is_active_user as _is_active
from opsdesk.platform.views import RolePageMixin


class OutOfScope(Http404):
    """Raised by services for a record outside the user's scope; shown as a 404."""


def sees_everything(user) -> bool:
    return user_role(user) in CHAIN_ROLES


# The subqueries below read the assignment tables as directly as they can (no join back
# to the store or region table where the assignment already holds the id): every scoped
# query in the app embeds one, and PostgreSQL plans the shorter form faster (the region
# dashboard's store query: 1.5 -> 1.2 ms). Each yields one column of ids, for
# ``<path>__in=``; ``ids_of()`` turns one into a list.


def _assigned_region_ids(user) -> models.QuerySet:
    """Regional ops: the ids of their regions, straight from their assignments."""
    assignments = apps.get_model("stores", "RegionAssignment")._default_manager
    return assignments.filter(user=user).values("region_id")


def visible_store_ids(user) -> models.QuerySet:
    """A subquery of the primary keys of the stores the user may see."""
    store_model = apps.get_model("stores", "Store")
    role = user_role(user)
    stores = store_model._default_manager
    if role in CHAIN_ROLES:
        return stores.values("pk")
    if role in STORE_ROLES:
        assignments = apps.get_model("stores", "StoreAssignment")._default_manager
        return assignments.filter(user=user).values("store_id")
    if role == Role.REGIONAL_OPS:
        return stores.filter(region_id__in=_assigned_region_ids(user)).values("pk")
    return stores.none().values("pk")


def visible_region_ids(user) -> models.QuerySet:
    """A subquery of the regions the user may see: their own, or those of their stores."""
    region_model = apps.get_model("stores", "Region")
    role = user_role(user)
    regions = region_model._default_manager
    if role in CHAIN_ROLES:
        return regions.values("pk")
    if role in STORE_ROLES:
        store_model = apps.get_model("stores", "Store")
        return store_model._default_manager.filter(pk__in=visible_store_ids(user)).values(
            "region_id"
        )
    if role == Role.REGIONAL_OPS:
        return _assigned_region_ids(user)
    return regions.none().values("pk")


def ids_of(subquery: models.QuerySet) -> list[int]:
    """The ids a ``visible_store_ids`` / ``visible_region_ids`` subquery yields, sorted."""
    return sorted({next(iter(row.values())) for row in subquery})


def scope_path(model: type[models.Model]) -> tuple[str, str] | None:
    """('store', path) or ('region', path) for a scoped model, else None."""
    if getattr(model, "scope_store_path", None):
        return ("store", model.scope_store_path)
    if getattr(model, "scope_region_path", None):
        return ("region", model.scope_region_path)
    return None


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        path = scope_path(self.model)
        if path is None:
            raise ImproperlyConfigured(
                f"{self.model.__name__} declares no scope_store_path or scope_region_path."
            )
        if not _is_active(user) or user_role(user) is None:
            return self.none()
        if sees_everything(user):
            return self.all()
        kind, field = path
        if self.model is apps.get_model("stores", "Store") and user_role(user) == Role.REGIONAL_OPS:
            # Stores themselves: by their own region, without joining the store table to
            # itself (the region dashboard's store query plans in half the time).
            return self.filter(region_id__in=_assigned_region_ids(user))
        ids = visible_store_ids(user) if kind == "store" else visible_region_ids(user)
        return self.filter(**{f"{field}__in": ids})


class ChainWideQuerySet(models.QuerySet):
    """Chain-wide rows with no store (catalogue, checklist templates, POS sources): every
    active user with a role reads them, anybody else nothing. Such models are on the
    scope allow-list of tests/stores/test_access.py, with the reason."""

    def visible_to(self, user) -> ChainWideQuerySet:
        return self.all() if user_role(user) is not None else self.none()


class RuleScopedQuerySet(models.QuerySet):
    """Scope that is not one path to a store (either end of a transfer, a schedule's
    stores or regions, an uploader's batches): nothing without a role, everything for
    chain roles, otherwise what the model's ``in_scope(user)`` says."""

    def visible_to(self, user) -> RuleScopedQuerySet:
        if user_role(user) is None:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.in_scope(user)

    def in_scope(self, user) -> RuleScopedQuerySet:
        raise NotImplementedError


def can_see_store(user, store: models.Model | int) -> bool:
    store_model = apps.get_model("stores", "Store")
    pk = store.pk if isinstance(store, store_model) else store
    return store_model.objects.visible_to(user).filter(pk=pk).exists()


def ensure_store_in_scope(user, store: models.Model | int) -> None:
    """The scope check every service makes before it creates or changes a record."""
    if not can_see_store(user, store):
        raise OutOfScope(_("No such store."))


def ensure_region_in_scope(user, region: models.Model | int) -> None:
    region_model = apps.get_model("stores", "Region")
    pk = region.pk if isinstance(region, region_model) else region
    if not region_model.objects.visible_to(user).filter(pk=pk).exists():
        raise OutOfScope(_("No such region."))


def ensure_role(user, roles: Iterable[str]) -> None:
    """Services refuse an action to a role that may not take it (403)."""
    if user_role(user) not in set(roles):
        raise PermissionDenied(_("Your role may not do this."))


class ScopedPageMixin(RolePageMixin):
    """For page views: login required, role allowed, queryset scoped (out of scope = 404).

    A view names its ``selector`` (a scoped read taking ``user=``) or a ``model``/
    ``queryset`` that ``visible_to`` narrows.
    """

    def get_queryset(self):
        # The selector, or the queryset of the view class below the mixins, narrowed.
        return _scoped_queryset(self, super(RolePageMixin, self))


def _scoped_queryset(view, parent):
    if view.selector is not None:
        return view.selector(user=view.request.user)
    return parent.get_queryset().visible_to(view.request.user)


class HasAllowedRole(permissions.BasePermission):
    """API permission: an authenticated, active user whose role the view allows."""

    message = _("Your role may not use this endpoint.")

    def has_permission(self, request, view) -> bool:
        if not _is_active(request.user):
            return False
        return user_role(request.user) in getattr(view, "allowed_roles", ALL_ROLES)


class ScopedAPIMixin:
    """For API viewsets: role check and scoped queryset (out of scope = 404)."""

    allowed_roles: frozenset[str] = ALL_ROLES
    permission_classes = [permissions.IsAuthenticated, HasAllowedRole]
    selector = None
    # The router's default ("[^/.]+") leaves an id such as "1.5" to Django's HTML 404
    # page; with any segment the viewset answers it with the API's JSON 404.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return _scoped_queryset(self, super())
