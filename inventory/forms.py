"""HTML input parsing only: the quantities typed on the receive, ship and count pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


def line_quantities(data, prefix: str = "qty-") -> dict[str, str]:
    """{line id: typed quantity} from inputs named ``qty-<line id>``; blanks are skipped."""
    result = {}
    for key, value in data.items():
        if key.startswith(prefix) and str(value).strip():
            result[key.removeprefix(prefix)] = str(value).strip()
    return result


class StockCountCreateForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, label=_("Store"))
    category = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Category"), empty_label=_("Whole store")
    )
    blind = forms.BooleanField(required=False, initial=True, label=_("Blind count"))

    def __init__(self, *args, stores, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["category"].queryset = categories


class CountLineForm(forms.Form):
    quantity = forms.CharField(label=_("Counted"), max_length=20)
