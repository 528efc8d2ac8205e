"""The notifications page, the header badge (loaded by htmx) and "mark as read"."""

from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import ListView, View

from opsdesk.platform.views import RolePageMixin

from .selectors import notification_get, notification_list, notification_unread_count
from .services import notification_mark_read


class NotificationListView(RolePageMixin, ListView):
    template_name = "notifications/notification_list.html"
    selector = staticmethod(notification_list)
    paginate_by = 50
    context_object_name = "notifications"


class NotificationBadgeView(RolePageMixin, View):
    """The unread count for the header: a fragment htmx loads after the page."""

    def get(self, request):
        count = notification_unread_count(user=request.user)
        response = render(request, "notifications/_badge.html", {"unread_count": count})
        add_never_cache_headers(response)
        return response


class NotificationReadView(RolePageMixin, View):
    """POST ``id``: mark that one read and follow its link; no ``id``: mark all read."""

    http_method_names = ["post"]

    @staticmethod
    def _id(raw):
        try:
            return int(raw) if raw not in (None, "") else None
        except ValueError:
            return -1  # unknown, answered like someone else's: 404

    def post(self, request):
        notification_id = self._id(request.POST.get("id"))
        notification_mark_read(user=request.user, notification_id=notification_id)
        if notification_id is not None:
            url = notification_get(user=request.user, pk=notification_id).url
            if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
                return redirect(url)
        return redirect("notifications:notification_list")


notification_read = require_POST(NotificationReadView.as_view())
