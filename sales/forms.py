"""HTML input parsing only; the rules are in sales/services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportBatch, ImportSource, Method
from .services.imports import FIELD_LABELS, FIELDS


class DateForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), required=False, help_text=_("YYYY-MM"))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("POS file (CSV)"))
    source = forms.ModelChoiceField(ImportSource.objects.all(), label=_("Source"), required=False)
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[("auto", _("Automatic (UTF-8)")), ("utf-8", "UTF-8"), ("gb18030", "GB18030")],
        initial="auto",
    )
    mode = forms.ChoiceField(
        label=_("When rows are bad"), choices=ImportBatch.Mode.choices, initial="all"
    )


class MappingForm(forms.Form):
    """One field per canonical column: which column of the file holds it."""

    remember = forms.BooleanField(label=_("Save this mapping for the source"), required=False)
    mode = forms.ChoiceField(label=_("When rows are bad"), choices=ImportBatch.Mode.choices)

    def __init__(self, *args, header=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [(h, h) for h in header]
        for name in FIELDS:
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=choices, required=False
            )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"col_{name}")
            for name in FIELDS
            if self.cleaned_data.get(f"col_{name}")
        }


class MonthTargetForm(forms.Form):
    month = forms.DateField(label=_("Month (first day)"))
    amount = forms.DecimalField(label=_("Chain target"), max_digits=14, decimal_places=2)
    method = forms.ChoiceField(label=_("Split by"), choices=Method.choices)


def amounts_from_post(data, prefix: str) -> dict[int, str]:
    """{id: amount} from inputs named ``<prefix>-<id>``."""
    amounts = {}
    for key, value in data.items():
        if key.startswith(prefix + "-"):
            try:
                amounts[int(key[len(prefix) + 1 :])] = value.strip()
            except ValueError:
                continue
    return amounts
