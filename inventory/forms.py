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


# --- Imports, write-offs, new purchase orders and transfers ------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("UTF-8 (“CSV UTF-8” in a spreadsheet), first row naming the columns."),
    )


class WriteOffForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, label=_("Store"))
    product = forms.CharField(
        label=_("Product (SKU or barcode)"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "data-enter-next": "id_quantity",
            }
        ),
    )
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=())
    note = forms.CharField(label=_("Note"), max_length=150, required=False)

    def __init__(self, *args, stores, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["reason"].choices = reasons
        if stores.count() == 1 and not self.is_bound:
            self.fields["store"].initial = stores.first()

    def clean_product(self):
        from .services._lines import products_by_reference

        reference = self.cleaned_data["product"].strip()
        product = products_by_reference([reference]).get(reference)
        if product is None:
            raise forms.ValidationError(_("Unknown product: enter its SKU or barcode."))
        return product


def lines_from_post(data) -> list[dict]:
    """The line rows of a new order or transfer (``line-product``/``line-quantity``, in
    page order), leaving out rows with both cells blank."""
    products = data.getlist("line-product")
    quantities = data.getlist("line-quantity")
    lines = []
    for index in range(max(len(products), len(quantities))):
        product = (products[index] if index < len(products) else "").strip()
        quantity = (quantities[index] if index < len(quantities) else "").strip()
        if product or quantity:
            lines.append({"product": product, "quantity": quantity})
    return lines


def check_lines(lines: list[dict]) -> list[dict]:
    """Per-line input errors (the product must exist, the quantity be a positive number),
    kept on each line as ``errors`` so the page shows them beside the line. The service
    checks everything again."""
    from .services._lines import parse_quantity, products_by_reference

    products = products_by_reference([line["product"] for line in lines])
    for line in lines:
        errors = []
        product = products.get(line["product"]) if line["product"] else None
        if not line["product"]:
            errors.append(_("Enter a SKU or barcode."))
        elif product is None:
            errors.append(_("Unknown product."))
        else:
            line["name"] = product.name
        try:
            parse_quantity(line["quantity"])
        except ValueError as error:
            errors.append(str(error))
        line["errors"] = errors
    return lines


class PurchaseOrderCreateForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, label=_("Store"))
    supplier = forms.ModelChoiceField(queryset=None, label=_("Supplier"))
    expected_date = forms.DateField(
        label=_("Expected"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, stores, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["supplier"].queryset = suppliers
        if stores.count() == 1 and not self.is_bound:
            self.fields["store"].initial = stores.first()


class TransferCreateForm(forms.Form):
    source_store = forms.ModelChoiceField(queryset=None, label=_("From store"))
    destination_store = forms.ModelChoiceField(queryset=None, label=_("To store"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_store"].queryset = stores
        self.fields["destination_store"].queryset = stores

    def clean(self):
        cleaned = super().clean()
        source, destination = cleaned.get("source_store"), cleaned.get("destination_store")
        if source is not None and source == destination:
            self.add_error(
                "destination_store", _("A transfer goes to another store, not the same one.")
            )
        return cleaned
