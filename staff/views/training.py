"""Training pages: courses and the overdue list, the assignments list, mark complete,
assign a course, add and change courses (head office)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from opsdesk.platform.http import safe_next_url
from stores.access import ScopedPageMixin, user_role

from .. import selectors, services
from ..filters import TrainingAssignmentFilterSet
from ..forms import AssignmentForm, ConfirmForm, CourseForm
from ..rules import COURSE_EDITORS, TRAINING_RECORDERS
from ._common import filtered_page, form_errors, list_template, messages_of

OVERDUE_SHOWN = 50


class TrainingView(ScopedPageMixin, View):
    """The courses, and the overdue assignments of the people in scope."""

    def get(self, request, form=None, status=200):
        role = user_role(request.user)
        overdue = selectors.assignment_list(user=request.user).filter(overdue=True)
        return render(
            request,
            "staff/training.html",
            {
                "courses": list(selectors.course_list(user=request.user)),
                "overdue": list(overdue[:OVERDUE_SHOWN]),
                "overdue_count": overdue.count(),
                "can_edit_courses": role in COURSE_EDITORS,
                "can_assign": role in TRAINING_RECORDERS,
                "form": form or AssignmentForm(user=request.user),
            },
            status=status,
        )


class AssignmentListView(ScopedPageMixin, View):
    def get(self, request, errors=(), status=200):
        context = filtered_page(
            request, TrainingAssignmentFilterSet, selectors.assignment_list(user=request.user)
        )
        context.update(
            me=services.employee_of(request.user),
            can_record=user_role(request.user) in TRAINING_RECORDERS,
            errors=errors,
        )
        template = list_template(
            request, "staff/assignment_list.html", "staff/_assignment_results.html"
        )
        return render(request, template, context, status=status)


class AssignmentCompleteView(ScopedPageMixin, View):
    def post(self, request, pk):
        assignment = selectors.assignment_get(user=request.user, pk=pk)
        if not ConfirmForm(request.POST).is_valid():
            return AssignmentListView().get(
                request, errors=[_("Confirm the completion.")], status=400
            )
        try:
            services.assignment_complete(user=request.user, assignment=assignment)
        except ValidationError as error:
            return AssignmentListView().get(request, errors=messages_of(error), status=400)
        messages.success(request, _("Training recorded as completed."))
        return HttpResponseRedirect(safe_next_url(request, reverse("staff:assignment_list")))


class AssignmentCreateView(ScopedPageMixin, View):
    allowed_roles = TRAINING_RECORDERS

    def post(self, request):
        form = AssignmentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.assignment_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Course assigned."))
                return HttpResponseRedirect(reverse("staff:training"))
        return TrainingView().get(request, form=form, status=400)


class CourseCreateView(ScopedPageMixin, View):
    allowed_roles = COURSE_EDITORS

    def get(self, request):
        return self.page(request, CourseForm(initial={"due_days": 30, "active": True}))

    def post(self, request):
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                services.course_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Course saved."))
                return HttpResponseRedirect(reverse("staff:training"))
        return self.page(request, form, status=400)

    def page(self, request, form, status=200, course=None):
        return render(
            request, "staff/course_form.html", {"form": form, "course": course}, status=status
        )


class CourseEditView(CourseCreateView):
    def get(self, request, pk):
        course = get_object_or_404(selectors.course_list(user=request.user), pk=pk)
        return self.page(
            request, CourseForm(initial=CourseForm.initial_from(course)), course=course
        )

    def post(self, request, pk):
        course = get_object_or_404(selectors.course_list(user=request.user), pk=pk)
        form = CourseForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("code")
            try:
                services.course_update(user=request.user, course=course, **data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Course saved."))
                return HttpResponseRedirect(reverse("staff:training"))
        return self.page(request, form, status=400, course=course)
