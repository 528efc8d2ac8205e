"""The roles of docs/design.md, and a user's effective role. No model imports here: the user
model imports this module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STORE_STAFF = "store_staff", _("Store staff")
    STORE_MANAGER = "store_manager", _("Store manager")
    REGIONAL_OPS = "regional_ops", _("Regional ops")
    HEAD_OFFICE = "head_office", _("Head office")
    ADMIN = "admin", _("Admin")


STORE_ROLES = frozenset({Role.STORE_STAFF, Role.STORE_MANAGER})
CHAIN_ROLES = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
ALL_ROLES = frozenset(Role)


def is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_role(user) -> str | None:
    """The user's effective role; superusers count as admins."""
    if not is_active_user(user):
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role or None
