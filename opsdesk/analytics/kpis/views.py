"""KPI pages: head office's red/amber/green thresholds, one form per registered KPI."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin

from . import registry, thresholds
from .forms import ThresholdForm


def _plain(value: Decimal) -> str:
    """90.000000 -> "90", 0.500000 -> "0.5"."""
    return format(value.normalize(), "f")


def _form(kpi, data=None, initial=None) -> ThresholdForm:
    form = ThresholdForm(data, prefix=kpi.code, initial=initial)
    if not kpi.higher_is_better:
        form.fields["green"].label = _("Green up to")
        form.fields["amber"].label = _("Amber up to")
    return form


def _forms(existing: dict, bound: ThresholdForm | None = None) -> list[tuple]:
    rows = []
    for kpi in registry.all_kpis():
        if bound is not None and bound.prefix == kpi.code:
            form = bound
        else:
            current = existing.get(kpi.code)
            initial = None
            if current:
                initial = {"green": _plain(current.green), "amber": _plain(current.amber)}
            form = _form(kpi, initial=initial)
        rows.append((kpi, form, existing.get(kpi.code)))
    return rows


class ThresholdView(ScopedPageMixin, View):
    """GET: every KPI with its bands. POST ``code`` with ``<code>-green`` and
    ``<code>-amber`` sets them (``clear`` removes them); a bad form answers 400."""

    allowed_roles = thresholds.THRESHOLD_SETTERS

    def get(self, request):
        return self._render(request, _forms(thresholds.bands()))

    def _render(self, request, rows, errors=(), status=200):
        return render(
            request,
            "kpis/thresholds.html",
            {"rows": rows, "errors": list(errors)},
            status=status,
        )

    def post(self, request):
        code = request.POST.get("code", "")
        try:
            kpi = registry.get(code)
        except KeyError:
            return self._render(
                request, _forms(thresholds.bands()), [_("Choose a KPI.")], status=400
            )
        if "clear" in request.POST:
            thresholds.threshold_clear(user=request.user, code=kpi.code)
            messages.success(request, _("Thresholds removed: %(kpi)s.") % {"kpi": kpi.name})
            return HttpResponseRedirect(reverse("kpis:thresholds"))
        form = _form(kpi, request.POST)
        if form.is_valid():
            try:
                thresholds.threshold_set(
                    user=request.user,
                    code=kpi.code,
                    green=form.cleaned_data["green"],
                    amber=form.cleaned_data["amber"],
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    for message in messages_:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Thresholds saved: %(kpi)s.") % {"kpi": kpi.name})
                return HttpResponseRedirect(reverse("kpis:thresholds"))
        return self._render(request, _forms(thresholds.bands(), bound=form), status=400)
