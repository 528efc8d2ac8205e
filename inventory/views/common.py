"""What the inventory pages share: the filtered list, the document action view, error messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.views import View
from django.views.generic import ListView

from stores.access import ScopedPageMixin
from stores.models import Store


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return error.messages


class FilteredListView(ScopedPageMixin, ListView):
    """A list with its FilterSet; an htmx request gets only the results."""

    filterset_class = None
    results_template = None
    paginate_by = 50

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted and self.results_template:
            return [self.results_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class ActionView(ScopedPageMixin, View):
    """A POST action on one object: role checked first (403), then scope (404); a refused
    action shows its messages on the object's page."""

    http_method_names = ["post"]
    actions: dict = {}

    def get_target(self):
        raise NotImplementedError

    def post(self, request, pk, action):
        handler = self.actions.get(action)
        if handler is None:
            raise Http404
        target = self.get_target()
        try:
            done = getattr(self, handler)(target)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(self.success_url(target))


def _writable_stores(user):
    return Store.objects.visible_to(user).exclude(status=Store.Status.CLOSED).order_by("code")


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: beside the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
