"""HTML input parsing only; the rules are in sales/services."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import Product
from stores.models import Store

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


class FootfallForm(forms.Form):
    """Parsing only: the service checks the date and the bounds."""

    date = forms.DateField(label=_("Business date"), widget=forms.HiddenInput)
    footfall = forms.IntegerField(label=_("Footfall"), help_text=_("Visitors counted that day."))


class PromotionForm(forms.Form):
    """Parsing only: the dates, bounds and overlaps are checked by the service."""

    name = forms.CharField(label=_("Name"), max_length=200)
    start_date = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    discount_pct = forms.DecimalField(label=_("Discount %"), help_text=_("Between 0 and 100."))
    stores = forms.ModelMultipleChoiceField(
        Store.objects.none(), label=_("Stores"), widget=forms.CheckboxSelectMultiple
    )
    products = forms.ModelMultipleChoiceField(
        Product.objects.none(),
        label=_("Products"),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    def __init__(self, *args, user, promotion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = Store.objects.visible_to(user).order_by("code")
        products = Q(active=True)
        if promotion is not None:
            # A product retired since stays choosable on the promotions it is already on.
            products |= Q(pk__in=promotion.products.values("pk"))
        self.fields["products"].queryset = Product.objects.filter(products).order_by("sku")

    @classmethod
    def initial_from(cls, promotion) -> dict:
        return {
            "name": promotion.name,
            "start_date": promotion.start_date,
            "end_date": promotion.end_date,
            "discount_pct": promotion.discount_pct,
            "stores": [s.pk for s in promotion.stores.all()],
            "products": [p.pk for p in promotion.products.all()],
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "discount_pct": data["discount_pct"],
            "store_ids": [s.pk for s in data["stores"]],
            "product_ids": [p.pk for p in data["products"]],
        }


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
