"""Schedule pages: the week editor (grid by day × person, shifts added, changed and
deleted with htmx, the checks shown live, publish, copy last week), the schedules list,
the shift list and "my shifts"."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin, user_role
from stores.i18n import store_label
from stores.models import Store

from .. import selectors, services, times
from ..filters import ScheduleFilterSet, ShiftFilterSet
from ..forms import ConfirmForm, ShiftForm, StaffingRuleForm, SwapAskForm
from ..models import Employee, Schedule, Shift
from ..rules import SCHEDULE_READERS, SCHEDULERS, STAFFING_RULE_SETTERS
from ._common import filtered_page, form_errors, list_template, messages_of


def week_url(store_pk: int, monday: datetime.date) -> str:
    return reverse("staff:schedule_week", kwargs={"pk": store_pk, "week": monday})


class IndexView(ScopedPageMixin, View):
    """/staff/: your shifts (store staff) or the schedules (everyone else)."""

    def get(self, request):
        if user_role(request.user) in SCHEDULE_READERS:
            return HttpResponseRedirect(reverse("staff:schedule_index"))
        return HttpResponseRedirect(reverse("staff:my_shifts"))


class ScheduleIndexView(ScopedPageMixin, View):
    """The stores in scope with this week and next, and the weeks already started."""

    allowed_roles = SCHEDULE_READERS

    def get(self, request):
        context = filtered_page(
            request, ScheduleFilterSet, selectors.schedule_list(user=request.user)
        )
        stores = list(
            Store.objects.visible_to(request.user)
            .exclude(status=Store.Status.PLANNED)
            .select_related("region")
            .order_by("code")
        )
        rows = []
        for store in stores:
            this_week = times.week_start(store.business_date())
            rows.append((store, this_week, this_week + datetime.timedelta(days=7)))
        return render(request, "staff/schedule_index.html", {**context, "rows": rows})


def _store(request, pk) -> Store:
    return get_object_or_404(Store.objects.visible_to(request.user), pk=pk)


def _lend_from(request, store) -> Store | None:
    """The other store in scope chosen to lend someone from (``?lend_from=<pk>``)."""
    pk = request.GET.get("lend_from", "")
    if not pk.isdigit():
        return None
    return Store.objects.visible_to(request.user).exclude(pk=store.pk).filter(pk=pk).first()


def _shift_form(request, store, week, data=None, initial=None, lend_from=None):
    """The shift form. Its people, active that week and in scope: the store's own first,
    then those already lent to it (a shift at the store this week or the week before),
    and to lend someone new, the people of the store chosen in "lend from"
    (``lend_from``). A posted person is checked against everyone in scope, as the service
    does (so a person picked from "lend from" is taken), not only the listed ones."""
    days = times.week_days(week)
    here = Q(home_store=store) | Q(
        pk__in=Shift.objects.filter(
            store=store,
            business_date__range=(week - datetime.timedelta(days=7), days[-1]),
        ).values("employee_id")
    )
    if lend_from is not None:
        here |= Q(home_store=lend_from)
    posted = str((data or {}).get("employee", ""))
    if posted.isdigit():
        here |= Q(pk=posted)
    employees = (
        Employee.objects.visible_to(request.user)
        .filter(here)
        .filter(active_from__lte=days[-1])
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=days[0]))
        .annotate(elsewhere=Case(When(home_store=store, then=0), default=1))
        .order_by("elsewhere", "name", "pk")
    )
    return ShiftForm(data, employees=employees, days=days, initial=initial)


def _lend_stores(request, store) -> list[tuple[int, str]]:
    """The other open stores in scope, to lend someone from (none for a one-store
    manager)."""
    stores = (
        Store.objects.visible_to(request.user)
        .exclude(pk=store.pk)
        .exclude(status__in=[Store.Status.PLANNED, Store.Status.CLOSED])
        .order_by("code")
    )
    return [(s.pk, store_label(s)) for s in stores]


def _week_context(request, store, week, form=None, errors=None, refused=None, lend_from=None):
    data = selectors.schedule_week(user=request.user, store=store, week_start=week)
    role = user_role(request.user)
    can_edit = role in SCHEDULERS
    return {
        "store": store,
        "week": data,
        "form": form
        or _shift_form(request, store, week, initial={"break_minutes": 30}, lend_from=lend_from),
        "lend_stores": _lend_stores(request, store) if can_edit else [],
        "lend_from": lend_from,
        "rule_form": StaffingRuleForm(),
        "can_edit": can_edit,
        "can_set_rules": role in STAFFING_RULE_SETTERS,
        "errors": errors or [],
        "refused": refused or [],
        "previous": week - datetime.timedelta(days=7),
        "next": week + datetime.timedelta(days=7),
        "today": store.business_date(),
    }


class WeekView(ScopedPageMixin, View):
    """A store's week: the grid, totals, checks, and for schedulers the editor."""

    allowed_roles = SCHEDULE_READERS

    def get(self, request, pk, week):
        store = _store(request, pk)
        monday = times.week_start(week)
        if monday != week:
            return HttpResponseRedirect(week_url(store.pk, monday))
        context = _week_context(request, store, week, lend_from=_lend_from(request, store))
        return render(request, "staff/week.html", context)


def _grid(request, store, week, status=200, **extra):
    """The grid partial for htmx (200 so that htmx swaps it, errors included), else the
    whole page (400 with errors)."""
    context = _week_context(request, store, week, **extra)
    if request.htmx:
        return render(request, "staff/_week_grid.html", context)
    return render(request, "staff/week.html", context, status=status)


class ShiftCreateView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk, week):
        store = _store(request, pk)
        form = _shift_form(request, store, week, request.POST)
        if form.is_valid():
            try:
                services.shift_create(user=request.user, store=store, **form.service_kwargs())
            except services.PublishRefused as refused:
                form.add_error(None, refused.messages[0])
                return _grid(request, store, week, 400, form=form, refused=refused.violations)
            except ValidationError as error:
                form_errors(form, error)
            else:
                if request.htmx:
                    return _grid(request, store, week)
                messages.success(request, _("Shift added."))
                return HttpResponseRedirect(week_url(store.pk, week))
        return _grid(request, store, week, 400, form=form)


def _shift(request, pk) -> Shift:
    return selectors.shift_get(user=request.user, pk=pk)


class ShiftEditView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def get(self, request, pk):
        shift = _shift(request, pk)
        tz = shift.store.tz
        form = _shift_form(
            request,
            shift.store,
            shift.schedule.week_start,
            initial={
                "employee": shift.employee_id,
                "business_date": shift.business_date,
                "starts": times.local(shift.start_at, tz).time(),
                "ends": times.local(shift.end_at, tz).time(),
                "break_minutes": shift.break_minutes,
                "position": shift.position,
                "note": shift.note,
            },
        )
        return self.page(request, shift, form)

    def post(self, request, pk):
        shift = _shift(request, pk)
        form = _shift_form(request, shift.store, shift.schedule.week_start, request.POST)
        refused = []
        if form.is_valid():
            try:
                services.shift_update(user=request.user, shift=shift, **form.service_kwargs())
            except services.PublishRefused as error:
                refused = error.violations
                form.add_error(None, error.messages[0])
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Shift saved."))
                return HttpResponseRedirect(week_url(shift.store_id, shift.schedule.week_start))
        return self.page(request, shift, form, status=400, refused=refused)

    def page(self, request, shift, form, status=200, refused=()):
        return render(
            request,
            "staff/shift_form.html",
            {"shift": shift, "form": form, "refused": refused},
            status=status,
        )


class ShiftDeleteView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk):
        shift = _shift(request, pk)
        store, week = shift.store, shift.schedule.week_start
        if not ConfirmForm(request.POST).is_valid():
            return _grid(request, store, week, 400, errors=[_("Confirm the deletion.")])
        try:
            services.shift_delete(user=request.user, shift=shift)
        except services.PublishRefused as error:
            return _grid(
                request, store, week, 400, errors=error.messages[:1], refused=error.violations
            )
        except ValidationError as error:
            return _grid(request, store, week, 400, errors=messages_of(error))
        if request.htmx:
            return _grid(request, store, week)
        messages.success(request, _("Shift deleted."))
        return HttpResponseRedirect(week_url(store.pk, week))


class PublishView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk, week):
        store = _store(request, pk)
        schedule = Schedule.objects.filter(store=store, week_start=week).first()
        if schedule is None:
            return _grid(
                request, store, week, 400, errors=[_("Add shifts before publishing the week.")]
            )
        try:
            services.schedule_publish(user=request.user, schedule=schedule)
        except services.PublishRefused as error:
            return _grid(
                request, store, week, 400, errors=error.messages[:1], refused=error.violations
            )
        except ValidationError as error:
            return _grid(request, store, week, 400, errors=messages_of(error))
        messages.success(request, _("The week is published; the team is notified."))
        return HttpResponseRedirect(week_url(store.pk, week))


class CopyView(ScopedPageMixin, View):
    allowed_roles = SCHEDULERS

    def post(self, request, pk, week):
        store = _store(request, pk)
        try:
            _schedule, copied = services.schedule_copy_previous(
                user=request.user, store=store, week_start=week
            )
        except ValidationError as error:
            return _grid(request, store, week, 400, errors=messages_of(error))
        messages.success(
            request, _("%(count)s shifts copied from the week before.") % {"count": copied}
        )
        return HttpResponseRedirect(week_url(store.pk, week))


class StaffingRuleView(ScopedPageMixin, View):
    allowed_roles = STAFFING_RULE_SETTERS

    def post(self, request, pk):
        store = _store(request, pk)
        week = times.week_start(store.business_date())
        try:
            week = datetime.date.fromisoformat(request.POST.get("week", ""))
            week = times.week_start(week)
        except ValueError:
            pass
        form = StaffingRuleForm(request.POST)
        if not form.is_valid():
            errors = [f"{form.fields[f].label}: {m}" for f, ms in form.errors.items() for m in ms]
            return _grid(request, store, week, 400, errors=errors)
        try:
            services.staffing_rule_set(
                user=request.user,
                store=store,
                weekday=form.cleaned_data["weekday"],
                min_staff=form.cleaned_data["min_staff"],
            )
        except ValidationError as error:
            return _grid(request, store, week, 400, errors=messages_of(error))
        messages.success(request, _("Minimum staffing saved."))
        return HttpResponseRedirect(week_url(store.pk, week))


class ShiftListView(ScopedPageMixin, View):
    """Shifts in scope with the FilterSet shared with the API and the export. Store staff
    see the published shifts of their store (the rota on the wall), without costs."""

    def get(self, request):
        context = filtered_page(request, ShiftFilterSet, selectors.shift_list(user=request.user))
        context["show_cost"] = user_role(request.user) in SCHEDULE_READERS
        template = list_template(request, "staff/shift_list.html", "staff/_shift_results.html")
        return render(request, template, context)


class MyShiftsView(ScopedPageMixin, View):
    """The signed-in person's published shifts from today, each with a swap button; the
    swaps asked of them; their training to do."""

    def get(self, request):
        me = services.employee_of(request.user)
        context = {"me": me, "shifts": [], "asked": [], "training": []}
        if me is not None:
            today = me.home_store.business_date()
            shifts = selectors.my_shifts(employee=me, since=today)
            people = selectors.colleagues(employee=me, date=today)
            now = timezone.now()
            context["shifts"] = [
                (
                    shift,
                    SwapAskForm(colleagues=people, auto_id=f"swap-{shift.pk}-%s")
                    if shift.start_at > now and not shift.open_swaps
                    else None,
                )
                for shift in shifts
            ]
            context["asked"] = list(
                selectors.swap_list(user=request.user)
                .filter(status="pending")
                .filter(Q(to_employee=me) | Q(to_employee__isnull=True))
                .exclude(from_employee=me)
            )
            context["training"] = list(
                selectors.assignment_list(user=request.user).filter(employee=me, status="assigned")
            )
        return render(request, "staff/my_shifts.html", context)
