from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from opsdesk.platform.roles import Role

from .models import User


def user_set_language(*, user: User, language: str) -> User:
    """Remember the user's language; an unknown code is refused and changes nothing."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


HEAD_OFFICE_GROUP = "Head office"
# What head office configures in the Django admin (docs/design.md: regions, stores, users, access).
HEAD_OFFICE_MODELS = {
    "accounts": ["user"],
    "stores": ["region", "store", "openinghours", "storeassignment", "regionassignment"],
    "inventory": ["category", "product", "supplier", "productsupplier"],
    "kpis": ["kpithreshold"],
}
# Shown read-only in the admin (their changes go through the app's services).
HEAD_OFFICE_VIEW_MODELS = {
    "stores": [
        "checklisttemplate",
        "templateversion",
        "checklistschedule",
        "checklistrun",
        "correctiveaction",
    ],
    "inventory": [
        "stockmovement",
        "stocklevel",
        "purchaseorder",
        "transfer",
        "stockcount",
        "reorderrule",
        "stocksnapshot",
        "stocksnapshotrun",
        "stocksnapshotsummary",
        "replenishmentbatch",
    ],
    "customers": ["complaint", "customer", "slatarget"],
}


def role_groups_sync() -> Group:
    """Create (or bring up to date) the admin permission group of head office."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    group, _created = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
    query = Q()
    for app_label, models in HEAD_OFFICE_MODELS.items():
        query |= Q(content_type__app_label=app_label, content_type__model__in=models)
    for app_label, models in HEAD_OFFICE_VIEW_MODELS.items():
        query |= Q(
            content_type__app_label=app_label,
            content_type__model__in=models,
            codename__startswith="view_",
        )
    group.permissions.set(Permission.objects.filter(query))
    return group


def user_sync_role_access(*, user: User) -> User:
    """Derived from the role: head office and admins use the Django admin."""
    group = role_groups_sync()
    chain_role = user.role in (Role.HEAD_OFFICE, Role.ADMIN) or user.is_superuser
    if user.is_staff != chain_role:
        user.is_staff = chain_role
        user.save(update_fields=["is_staff"])
    if user.role == Role.HEAD_OFFICE:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return user
