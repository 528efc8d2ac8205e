"""HTML input parsing only: the rules are in the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from inventory.models import Product
from stores.models import Store

from .models import Category, Channel, Kind, Severity
from .rules import MAX_TEXT


class _ListedChoices(ModelChoiceIterator):
    """The choices from the field's ``objects`` (a list), not from a query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.objects) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.objects)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over ``objects``, records the view read once (a list): showing
    the choices and checking the one posted make no query of their own. ``queryset``
    only names the model."""

    iterator = _ListedChoices

    def __init__(self, queryset, **kwargs):
        self.objects = []
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        model = self.queryset.model
        try:
            pk = model._meta.pk.to_python(value.pk if isinstance(value, model) else value)
        except ValidationError:
            pk = None
        for obj in self.objects:
            if obj.pk == pk:
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ComplaintLogForm(forms.Form):
    """Mobile-first: what happened first, who the customer is last (all optional)."""

    store = ListedModelChoiceField(Store.objects.none(), label=_("Store"))
    kind = forms.ChoiceField(
        choices=Kind.choices, initial=Kind.COMPLAINT, label=_("Kind"), widget=forms.RadioSelect
    )
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    severity = forms.ChoiceField(
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        label=_("Severity"),
        help_text=_("Sets the SLA clocks of a complaint."),
    )
    channel = forms.ChoiceField(
        choices=Channel.choices, initial=Channel.IN_STORE, label=_("Channel")
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    received_at = forms.CharField(
        label=_("Received at (store time)"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    receipt_reference = forms.CharField(
        label=_("Receipt or transaction number"), max_length=64, required=False
    )
    product_code = forms.CharField(
        label=_("Product (SKU or barcode)"), max_length=64, required=False
    )
    member_number = forms.CharField(label=_("Member number"), max_length=32, required=False)
    customer_phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    customer_name = forms.CharField(label=_("Customer name"), max_length=120, required=False)
    customer_email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )

    def __init__(self, *args, stores: list[Store], **kwargs):
        """``stores``: those one may log for, read once by the view."""
        super().__init__(*args, **kwargs)
        self.fields["store"].objects = stores = list(stores)
        if len(stores) == 1:
            self.fields["store"].initial = stores[0].pk
            self.fields["store"].widget = forms.HiddenInput()

    def clean_received_at(self) -> datetime.datetime | None:
        raw = self.cleaned_data["received_at"].strip()
        if not raw:
            return None
        try:
            return datetime.datetime.fromisoformat(raw).replace(tzinfo=None)
        except ValueError:
            raise forms.ValidationError(_("Enter a date and time.")) from None

    def clean_product_code(self) -> Product | None:
        code = self.cleaned_data["product_code"].strip()
        if not code:
            return None
        product = Product.objects.filter(Q(sku__iexact=code) | Q(barcode=code)).first()
        if product is None:
            raise forms.ValidationError(_("No product has this SKU or barcode."))
        return product

    def log_kwargs(self) -> dict:
        """The service's arguments; ``received_at`` in the chosen store's time zone."""
        data = dict(self.cleaned_data)
        store = data["store"]
        local = data.pop("received_at")
        data["received_at"] = local.replace(tzinfo=store.tz) if local else None
        data["product"] = data.pop("product_code")
        return data


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(
        label=_("Internal note (not sent to the customer)"), required=False
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AssignForm(VersionForm):
    assignee = forms.ModelChoiceField(queryset=None, label=_("Assign to"))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["assignee"].queryset = get_user_model().objects.filter(
            pk__in=[u.pk for u in users]
        )
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class ResolveForm(VersionForm):
    resolution_note = forms.CharField(
        label=_("How it was resolved"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    compensation = forms.DecimalField(
        label=_("Compensation"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text=_("Refund, voucher or goodwill, in the chain's currency."),
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is reopened"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class SlaTargetForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices, label=_("Severity"))
    category = forms.ChoiceField(
        choices=[("", _("Every category")), *Category.choices],
        required=False,
        label=_("Category"),
    )
    # The limits are the service's (sla_target_set), as for the API: 1 minute to 90 days.
    first_response_hours = forms.DecimalField(
        label=_("First response within (hours)"),
        max_digits=6,
        decimal_places=2,
    )
    resolution_hours = forms.DecimalField(
        label=_("Resolution within (hours)"),
        max_digits=6,
        decimal_places=2,
    )

    def target_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "severity": data["severity"],
            "category": data["category"] or "",
            "first_response_minutes": round(data["first_response_hours"] * 60),
            "resolution_minutes": round(data["resolution_hours"] * 60),
        }
