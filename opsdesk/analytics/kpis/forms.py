"""HTML input parsing for the threshold page; the rules are in thresholds.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MONEY_OR_COUNT

BAND = {
    "max_digits": MONEY_OR_COUNT["max_digits"],
    "decimal_places": MONEY_OR_COUNT["decimal_places"],
}


class ThresholdForm(forms.Form):
    """One KPI's bands (the page shows one form per KPI, prefixed by its code)."""

    green = forms.DecimalField(label=_("Green from"), **BAND)
    amber = forms.DecimalField(label=_("Amber from"), **BAND)
