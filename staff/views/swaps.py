"""Swap pages: ask (from "my shifts"), the list, accept / decline / cancel, approve / refuse."""

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
from ..filters import SwapRequestFilterSet
from ..forms import SwapAskForm, SwapDecideForm, SwapRespondForm
from ..rules import SWAP_APPROVERS
from ._common import filtered_page, messages_of


class SwapListView(ScopedPageMixin, View):
    def get(self, request, errors=None, refused=None, status=200):
        context = filtered_page(
            request, SwapRequestFilterSet, selectors.swap_list(user=request.user)
        )
        return render(
            request,
            "staff/swap_list.html",
            {
                **context,
                "me": services.employee_of(request.user),
                "can_decide": user_role(request.user) in SWAP_APPROVERS,
                "errors": errors or [],
                "refused": refused or [],
            },
            status=status,
        )


class SwapAskView(ScopedPageMixin, View):
    """POST from "my shifts": hand one of your shifts to a colleague or to anyone."""

    def post(self, request, pk):
        shift = selectors.shift_get(user=request.user, pk=pk)
        me = services.employee_of(request.user)
        people = selectors.colleagues(employee=me, date=shift.business_date) if me else []
        form = SwapAskForm(request.POST, colleagues=people)
        if not form.is_valid():
            errors = [m for ms in form.errors.values() for m in ms]
            return SwapListView().get(request, errors=errors, status=400)
        to = form.cleaned_data["to_employee"] if form.cleaned_data["mode"] == "named" else None
        try:
            services.swap_request_create(
                user=request.user, shift=shift, to_employee=to, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            return SwapListView().get(request, errors=messages_of(error), status=400)
        messages.success(request, _("Swap requested: your colleagues are told."))
        return HttpResponseRedirect(reverse("staff:swap_list"))


class SwapRespondView(ScopedPageMixin, View):
    """The colleague accepts or declines; the asker cancels."""

    def post(self, request, pk):
        swap = selectors.swap_get(user=request.user, pk=pk)
        form = SwapRespondForm(request.POST)
        if not form.is_valid():
            return SwapListView().get(request, errors=[_("Choose an answer.")], status=400)
        action = {
            "accept": services.swap_accept,
            "decline": services.swap_decline,
            "cancel": services.swap_cancel,
        }[form.cleaned_data["response"]]
        try:
            action(user=request.user, swap=swap)
        except services.PublishRefused as refused:
            return SwapListView().get(
                request, errors=refused.messages[:1], refused=refused.violations, status=400
            )
        except ValidationError as error:
            return SwapListView().get(request, errors=messages_of(error), status=400)
        messages.success(request, _("Swap request updated."))
        return HttpResponseRedirect(reverse("staff:swap_list"))


class SwapDecideView(ScopedPageMixin, View):
    """A manager approves (the checks run again) or refuses."""

    allowed_roles = SWAP_APPROVERS

    def post(self, request, pk):
        swap = selectors.swap_get(user=request.user, pk=pk)
        form = SwapDecideForm(request.POST)
        if not form.is_valid():
            return SwapListView().get(request, errors=[_("Choose approve or refuse.")], status=400)
        try:
            if form.cleaned_data["decision"] == "approve":
                services.swap_approve(user=request.user, swap=swap)
            else:
                services.swap_refuse(
                    user=request.user, swap=swap, reason=form.cleaned_data["reason"]
                )
        except services.PublishRefused as refused:
            return SwapListView().get(
                request, errors=refused.messages[:1], refused=refused.violations, status=400
            )
        except ValidationError as error:
            return SwapListView().get(request, errors=messages_of(error), status=400)
        messages.success(request, _("Decision saved; both colleagues are told."))
        return HttpResponseRedirect(reverse("staff:swap_list"))
