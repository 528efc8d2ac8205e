"""The page mixin of the platform: login required and a role the view allows (else 403)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .roles import ALL_ROLES, user_role


class RolePageMixin(LoginRequiredMixin):
    """For page views: login required, role allowed (403 otherwise). A view names its
    ``selector``, a read taking ``user=``, for its queryset. ``stores.access.ScopedPageMixin``
    adds the store scope for views that read a store's records."""

    allowed_roles: frozenset[str] = ALL_ROLES
    selector = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_role(request.user) not in self.allowed_roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.selector is not None:
            return self.selector(user=self.request.user)
        return super().get_queryset()
