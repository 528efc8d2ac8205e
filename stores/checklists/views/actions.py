"""Corrective actions and the region comparison."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from stores.access import ScopedPageMixin
from stores.selectors import latest_local_date

from .. import selectors, services
from ..filters import CorrectiveActionFilterSet
from ..forms import (
    ActionUpdateForm,
)
from .common import _messages

COMPARISON_ROLES = frozenset({"regional_ops", "head_office", "admin"})


class ActionListView(ScopedPageMixin, ListView):
    template_name = "checklists/action_list.html"
    selector = staticmethod(selectors.action_list)
    paginate_by = 50
    context_object_name = "actions"

    def get_queryset(self):
        self.filterset = CorrectiveActionFilterSet(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["checklists/_action_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["today"] = timezone.now().date()
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class ActionDetailView(ScopedPageMixin, View):
    def _render(self, request, action, form=None, status=200, errors=None):
        return render(
            request,
            "checklists/action_detail.html",
            {
                "action": action,
                "form": form
                or ActionUpdateForm(initial={"status": action.status, "note": action.note}),
                "errors": errors or [],
                "today": timezone.now().date(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, selectors.action_get(user=request.user, pk=pk))

    def post(self, request, pk):
        action = selectors.action_get(user=request.user, pk=pk)
        form = ActionUpdateForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, action, form, status=400)
        try:
            with transaction.atomic():
                evidence = None
                if form.cleaned_data.get("evidence"):
                    evidence = services.photo_create(
                        user=request.user,
                        store=action.store,
                        run=None,
                        upload=form.cleaned_data["evidence"],
                    )
                services.corrective_action_update(
                    user=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    evidence=evidence,
                )
        except ValidationError as exc:
            return self._render(request, action, form, status=400, errors=_messages(exc))
        messages.success(request, _("Saved."))
        return redirect("checklists:action_detail", pk=action.pk)


class RegionComparisonView(ScopedPageMixin, View):
    allowed_roles = COMPARISON_ROLES

    def get(self, request):
        rows = selectors.region_comparison(user=request.user)
        until = latest_local_date({store.time_zone for store in rows})
        return render(
            request,
            "checklists/region_comparison.html",
            {
                "rows": rows,
                "until": until,
                "failed_items": selectors.most_failed_items(user=request.user, until=until),
            },
        )
