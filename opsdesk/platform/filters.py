"""List filters every domain's FilterSets share: strict yes/no and several-choices filters
that refuse bad input (400) instead of ignoring it."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class _YesNoSelect(forms.NullBooleanSelect):
    """ "Any", "Yes" or "No" (Django's default says "Unknown" where the filter means "any");
    hands the raw value to the field, which refuses what is not a yes or a no."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value):
        # A list, as every choice widget's: a string would make "" match any value.
        return [{True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")]

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class _StrictNullBooleanField(forms.NullBooleanField):
    widget = _YesNoSelect
    VALUES = {"true": True, "false": False, "": None, "unknown": None, None: None}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        if value not in self.VALUES:
            raise forms.ValidationError(_("Enter true or false."), code="invalid")
        return self.VALUES[value]

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false`` (empty, or the form's "unknown", does not filter); anything
    else is refused (400) instead of being silently ignored."""

    field_class = _StrictNullBooleanField


class _ChoicesField(django_filters.fields.MultipleChoiceField):
    def to_python(self, value):
        return [v for v in super().to_python(value) if v != ""]


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Several choices; an empty value (``?status=``, as a form sends it) is ignored."""

    field_class = _ChoicesField
