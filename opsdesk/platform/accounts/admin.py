"""Users in the Django admin.

Head office manages the people of the stores and regions here; only a superuser may
grant or remove privileges (superuser, staff status, groups, permissions, the chain roles
head office and admin) or touch an account that holds them (its password, email, role,
activity). Everything below is enforced on the server, whatever a form posts.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.roles import CHAIN_ROLES, Role

from .models import User
from .services import user_sync_role_access

# The fields that carry privileges: only a superuser sees or sets them.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def user_is_privileged(user: User) -> bool:
    """Holds a privilege: superuser, staff status, a chain role (head office, admin), a
    group or a permission of its own. Only a superuser changes such an account."""
    if user.is_superuser or user.is_staff or user.role in CHAIN_ROLES:
        return True
    if user.pk is None:
        return False
    return user.groups.exists() or user.user_permissions.exists()


def _grantable_roles(request) -> list[tuple[str, str]]:
    """The roles the acting user may give: every role for a superuser, store and
    regional roles for anyone else."""
    if request.user.is_superuser:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value not in CHAIN_ROLES]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("OpsDesk"), {"fields": ("role", "language")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("OpsDesk"), {"fields": ("role", "language")}),
    )

    # --- what a non-superuser sees: no privilege fields at all ----------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return tuple(
            (name, {**options, "fields": _without_privileges(options["fields"])})
            for name, options in fieldsets
            if _without_privileges(options["fields"])
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser or "role" not in form.base_fields:
            return form
        # A subclass, so that the choices never leak into another request's form.
        roles = [("", "---------"), *_grantable_roles(request)]

        class RestrictedRoleForm(form):
            role = _restricted_role_field(form, roles)

        return RestrictedRoleForm

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return [name for name in self.list_filter if name not in PRIVILEGE_FIELDS]

    # --- whom a non-superuser may change: nobody who holds privileges ---------------
    def has_change_permission(self, request, obj=None):
        if obj is not None and user_is_privileged(obj) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and user_is_privileged(obj) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            _refuse_privileges(request, obj, change)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the form's own many-to-many fields: staff status and the head office
        # group follow the role.
        user_sync_role_access(user=form.instance)


def _without_privileges(fields) -> tuple:
    return tuple(name for name in fields if name not in PRIVILEGE_FIELDS)


def _restricted_role_field(form, roles) -> forms.ChoiceField:
    base = form.base_fields["role"]
    return forms.ChoiceField(
        choices=roles,
        required=base.required,
        label=base.label,
        help_text=_("Head office and admin roles are given by a superuser."),
    )


def _refuse_privileges(request, obj: User, change: bool) -> None:
    """Last line of defence for a non-superuser's save: nothing privileged gets through,
    whatever the form held (the form has no such fields; this guards against a future
    form, an inline or a custom action that would)."""
    if change:
        before = User.objects.get(pk=obj.pk)
        if user_is_privileged(before):
            raise PermissionDenied
        obj.is_superuser = before.is_superuser
    else:
        obj.is_superuser = False
    if obj.role in CHAIN_ROLES:
        raise PermissionDenied
