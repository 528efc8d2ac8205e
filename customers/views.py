"""Complaint pages: call selectors and services, render templates/customers/*.

Every view is scoped (ScopedPageMixin: login, role, out of scope = 404). A service's
refusal re-renders the page with its message: 400 for bad input, 409 when the
complaint's state refuses it (somebody resolved it first, a stale form).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from stores.access import ScopedPageMixin, user_role
from stores.models import Store

from . import selectors, services
from .filters import ComplaintFilterSet
from .forms import (
    AssignForm,
    ComplaintLogForm,
    ReopenForm,
    ResolveForm,
    RespondForm,
    SlaTargetForm,
    VersionForm,
)
from .rules import HANDLERS, POLICY_SETTERS
from .services.complaints import CONFLICT


def _status(error: ValidationError) -> int:
    if hasattr(error, "error_dict"):
        errors = [e for listed in error.error_dict.values() for e in listed]
    else:
        errors = error.error_list
    return 409 if {e.code for e in errors} == {CONFLICT} else 400


class ComplaintListView(ScopedPageMixin, ListView):
    template_name = "customers/complaint_list.html"
    selector = staticmethod(selectors.complaint_list)
    paginate_by = 50
    context_object_name = "complaints"

    def get_queryset(self):
        self.filterset = ComplaintFilterSet(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["customers/_complaint_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["now"] = timezone.now()
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class ComplaintCreateView(ScopedPageMixin, View):
    def _form(self, request, data=None):
        stores = list(
            Store.objects.visible_to(request.user)
            .exclude(status=Store.Status.PLANNED)
            .order_by("code")
        )
        form = ComplaintLogForm(data, stores=stores)
        if data is None and request.GET.get("store"):
            form.initial["store"] = request.GET["store"]
        return form

    def get(self, request):
        return render(request, "customers/complaint_form.html", {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                complaint = services.complaint_log(user=request.user, **form.log_kwargs())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Logged as %(number)s.") % {"number": complaint.number})
                return redirect("customers:complaint_detail", pk=complaint.pk)
        return render(request, "customers/complaint_form.html", {"form": form}, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _detail(request, pk, *, status=200, errors=None, forms=None):
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    can_handle = user_role(request.user) in HANDLERS
    version = {"version": complaint.version}
    context = {
        "complaint": complaint,
        "now": timezone.now(),
        "can_handle": can_handle,
        "errors": errors or [],
        "respond_form": RespondForm(),
        "assign_form": AssignForm(
            initial={**version, "assignee": complaint.assignee_id},
            users=selectors.assignable_users(store=complaint.store) if can_handle else [],
        ),
        "resolve_form": ResolveForm(initial=version),
        "reopen_form": ReopenForm(initial=version),
        "close_form": VersionForm(initial=version),
        **(forms or {}),
    }
    return render(request, "customers/complaint_detail.html", context, status=status)


class ComplaintDetailView(ScopedPageMixin, View):
    def get(self, request, pk):
        return _detail(request, pk)


class _ComplaintAction(ScopedPageMixin, View):
    """POST one action; back to the detail page (with the message on a refusal)."""

    http_method_names = ["post"]
    allowed_roles = HANDLERS
    form_name = ""
    done = ""

    def form(self, request, complaint):
        raise NotImplementedError

    def act(self, request, complaint, data):
        raise NotImplementedError

    def post(self, request, pk):
        complaint = selectors.complaint_get(user=request.user, pk=pk)
        form = self.form(request, complaint)
        if not form.is_valid():
            return _detail(request, pk, status=400, forms={self.form_name: form})
        data = dict(form.cleaned_data)
        data["expected_version"] = data.pop("version", None)
        try:
            self.act(request, complaint, data)
        except ValidationError as exc:
            return _detail(
                request,
                pk,
                status=_status(exc),
                errors=list(exc.messages),
                forms={self.form_name: form},
            )
        messages.success(request, self.done)
        return redirect("customers:complaint_detail", pk=pk)


class ComplaintRespondView(_ComplaintAction):
    form_name = "respond_form"

    @property
    def done(self):
        return _("Saved.")

    def form(self, request, complaint):
        return RespondForm(request.POST)

    def act(self, request, complaint, data):
        data.pop("expected_version", None)  # responses add up: both of two at once stay
        services.complaint_respond(user=request.user, complaint=complaint, **data)


class ComplaintAssignView(_ComplaintAction):
    form_name = "assign_form"

    @property
    def done(self):
        return _("Assigned.")

    def form(self, request, complaint):
        return AssignForm(request.POST, users=selectors.assignable_users(store=complaint.store))

    def act(self, request, complaint, data):
        services.complaint_assign(user=request.user, complaint=complaint, **data)


class ComplaintResolveView(_ComplaintAction):
    form_name = "resolve_form"

    @property
    def done(self):
        return _("Resolved.")

    def form(self, request, complaint):
        return ResolveForm(request.POST)

    def act(self, request, complaint, data):
        services.complaint_resolve(user=request.user, complaint=complaint, **data)


class ComplaintCloseView(_ComplaintAction):
    form_name = "close_form"

    @property
    def done(self):
        return _("Closed.")

    def form(self, request, complaint):
        return VersionForm(request.POST)

    def act(self, request, complaint, data):
        services.complaint_close(user=request.user, complaint=complaint, **data)


class ComplaintReopenView(_ComplaintAction):
    form_name = "reopen_form"

    @property
    def done(self):
        return _("Reopened.")

    def form(self, request, complaint):
        return ReopenForm(request.POST)

    def act(self, request, complaint, data):
        services.complaint_reopen(user=request.user, complaint=complaint, **data)


# --- Customers ----------------------------------------------------------------------------


class CustomerDetailView(ScopedPageMixin, View):
    def get(self, request, pk):
        customer = selectors.customer_get(user=request.user, pk=pk)
        complaints = selectors.customer_complaints(user=request.user, customer=customer)
        return render(
            request,
            "customers/customer_detail.html",
            {"customer": customer, "complaints": complaints, "now": timezone.now()},
        )


class CustomerLookupView(ScopedPageMixin, View):
    """htmx, from the log form: customers in scope with exactly this member number or
    phone (nobody outside the user's scope is ever shown)."""

    def get(self, request):
        query = request.GET.get("member_number") or request.GET.get("customer_phone") or ""
        matches = selectors.customer_lookup(user=request.user, query=query)
        return render(
            request, "customers/_customer_lookup.html", {"matches": matches, "query": query}
        )


# --- The SLA policy -----------------------------------------------------------------------


class SlaPolicyView(ScopedPageMixin, View):
    """Everyone reads the targets; head office sets them."""

    def _render(self, request, form=None, status=200, errors=None):
        can_edit = user_role(request.user) in POLICY_SETTERS
        return render(
            request,
            "customers/sla_policy.html",
            {
                "policy": selectors.sla_policy(user=request.user),
                "form": form or SlaTargetForm(),
                "can_edit": can_edit,
                "errors": errors or [],
            },
            status=status,
        )

    def get(self, request):
        return self._render(request)

    def post(self, request):
        if user_role(request.user) not in POLICY_SETTERS:
            raise PermissionDenied
        form = SlaTargetForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.sla_target_set(user=request.user, **form.target_kwargs())
        except ValidationError as exc:
            return self._render(request, form, status=400, errors=list(exc.messages))
        messages.success(request, _("Saved. Complaints logged from now on use it."))
        return redirect("customers:sla_policy")


class SlaTargetDeleteView(ScopedPageMixin, View):
    http_method_names = ["post"]
    allowed_roles = POLICY_SETTERS

    def post(self, request, pk):
        target = get_object_or_404(selectors.sla_target_list(user=request.user), pk=pk)
        services.sla_target_delete(user=request.user, target=target)
        messages.success(request, _("Removed: the default applies again."))
        return redirect("customers:sla_policy")
