"""People pages: the list, a person's detail (availability, leave, training), add and
change a person, set availability, add leave."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin, user_role

from .. import selectors, services
from ..filters import EmployeeFilterSet
from ..forms import AvailabilityForm, EmployeeForm, LeaveForm
from ..rules import PEOPLE_EDITORS, SCHEDULE_READERS, SCHEDULERS
from ._common import filtered_page, form_errors, messages_of


class EmployeeListView(ScopedPageMixin, View):
    allowed_roles = SCHEDULE_READERS

    def get(self, request):
        context = filtered_page(
            request, EmployeeFilterSet, selectors.employee_list(user=request.user)
        )
        context["can_edit"] = user_role(request.user) in PEOPLE_EDITORS
        return render(request, "staff/employee_list.html", context)


class EmployeeDetailView(ScopedPageMixin, View):
    allowed_roles = SCHEDULE_READERS

    def get(self, request, pk, availability_form=None, leave_form=None, errors=(), status=200):
        employee = selectors.employee_get(user=request.user, pk=pk)
        role = user_role(request.user)
        return render(
            request,
            "staff/employee_detail.html",
            {
                "employee": employee,
                "availability_form": availability_form
                or AvailabilityForm(
                    initial=AvailabilityForm.initial_from(employee.availability.all())
                ),
                "leave_form": leave_form or LeaveForm(),
                "can_schedule": role in SCHEDULERS,
                "can_edit": role in PEOPLE_EDITORS,
                "errors": errors,
            },
            status=status,
        )


class EmployeeCreateView(ScopedPageMixin, View):
    allowed_roles = PEOPLE_EDITORS

    def get(self, request):
        return self.page(request, EmployeeForm(user=request.user))

    def post(self, request):
        form = EmployeeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                employee = services.employee_create(
                    user=request.user,
                    home_store=data["home_store"],
                    name=data["name"],
                    position=data["position"],
                    contract_type=data["contract_type"],
                    weekly_hours_max=data["weekly_hours_max"],
                    hourly_rate=data["hourly_rate"],
                    active_from=data["active_from"],
                    active_to=data["active_to"],
                    account=data["account"],
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Employee added."))
                return HttpResponseRedirect(reverse("staff:employee_detail", args=[employee.pk]))
        return self.page(request, form, status=400)

    def page(self, request, form, status=200, employee=None):
        return render(
            request,
            "staff/employee_form.html",
            {"form": form, "employee": employee},
            status=status,
        )


class EmployeeEditView(EmployeeCreateView):
    def get(self, request, pk):
        employee = selectors.employee_get(user=request.user, pk=pk)
        form = EmployeeForm(
            user=request.user, employee=employee, initial=EmployeeForm.initial_from(employee)
        )
        return self.page(request, form, employee=employee)

    def post(self, request, pk):
        employee = selectors.employee_get(user=request.user, pk=pk)
        form = EmployeeForm(request.POST, user=request.user, employee=employee)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.employee_update(user=request.user, employee=employee, **data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Employee saved."))
                return HttpResponseRedirect(reverse("staff:employee_detail", args=[employee.pk]))
        return self.page(request, form, status=400, employee=employee)


class AvailabilityView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk):
        employee = selectors.employee_get(user=request.user, pk=pk)
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            try:
                services.availability_set(
                    user=request.user, employee=employee, ranges=form.ranges()
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Availability saved."))
                return HttpResponseRedirect(reverse("staff:employee_detail", args=[pk]))
        return EmployeeDetailView().get(request, pk, availability_form=form, status=400)


class LeaveAddView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk):
        employee = selectors.employee_get(user=request.user, pk=pk)
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                services.leave_add(user=request.user, employee=employee, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Leave saved."))
                return HttpResponseRedirect(reverse("staff:employee_detail", args=[pk]))
        return EmployeeDetailView().get(request, pk, leave_form=form, status=400)


class LeaveDeleteView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk, leave):
        employee = selectors.employee_get(user=request.user, pk=pk)
        leave_row = employee.leaves.filter(pk=leave).first()
        if leave_row is None:
            return EmployeeDetailView().get(request, pk, errors=[_("No such leave.")], status=404)
        try:
            services.leave_delete(user=request.user, leave=leave_row)
        except ValidationError as error:
            return EmployeeDetailView().get(request, pk, errors=messages_of(error), status=400)
        messages.success(request, _("Leave removed."))
        return HttpResponseRedirect(reverse("staff:employee_detail", args=[pk]))
