"""Serializer fields that accept exactly what the schema documents.

DRF's CharField turns a JSON number (``{"title": 12}``) into the string "12", so a
request the schema calls invalid would be accepted. ``StrictCharField`` refuses
anything but a JSON string, with DRF's own message; the schema (``schema.py``) maps it
like a CharField, with the same NUL and blank patterns.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers (and every other non-string) instead of
    converting them."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    """A SlugField that refuses numbers, as ``StrictCharField`` does."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes only JSON ``true`` and ``false``: DRF's also turns
    ``"yes"``, ``1`` or ``"0"`` into a boolean, which the schema does not allow."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that takes only JSON integers: DRF's also reads ``"12"`` and
    ``12.0``, which the schema (``type: integer``) does not allow."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def decimal_pattern(whole: int | None, places: int, *, signed: bool = True) -> str:
    """What a decimal string with at most ``whole`` digits before the point and
    ``places`` after it looks like (DRF's own pattern, without "", "-" and ".")."""
    # [0-9], not \d: Python's \d also matches other scripts' digits, ECMA's does not.
    integer = "[0-9]+" if whole is None else (rf"[0-9]{{1,{whole}}}" if whole else "0")
    digits = rf"{integer}(?:\.[0-9]{{0,{places}}})?" if places else integer
    fraction = rf"|\.[0-9]{{1,{places}}}" if places else ""
    return rf"^{'-?' if signed else ''}(?:{digits}{fraction})$"


def positive_decimal_pattern(whole: int, places: int) -> str:
    """``decimal_pattern`` for numbers above zero (leading zeros allowed: "007.5")."""
    integer = rf"0*[1-9][0-9]{{0,{whole - 1}}}"
    if not places:
        return rf"^{integer}$"
    fractions = "|".join(
        "0" * i + "[1-9]" + (f"[0-9]{{0,{places - 1 - i}}}" if places - 1 - i else "")
        for i in range(places)
    )
    return rf"^(?:{integer}(?:\.[0-9]{{0,{places}}})?|0*\.(?:{fractions}))$"


class PatternField(StrictCharField):
    """A string that matches ``pattern`` as a whole, shown in the schema as it is checked
    here (``schema.py``). Spaces are not trimmed: " 2" does not match "^[0-9]+$"."""

    def __init__(self, *, pattern: str, message, example: str | None = None, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.pattern, self.example, self.message = pattern, example, message
        self.validators.append(self._match)

    def _match(self, value):
        if not re.fullmatch(self.pattern, value):
            raise serializers.ValidationError(self.message, code="invalid")


class StrictDecimalField(serializers.DecimalField):
    """A DecimalField that takes exactly the decimal strings its schema pattern shows
    (``pattern``): no JSON numbers (binary floats), exponents, "+", spaces or, when the
    minimum is not negative, a minus sign."""

    default_error_messages = {
        # Not DRF's "A valid number is required.": the schema asks for a string.
        "not_a_decimal_string": _('Enter the number as a string, such as "12.50".'),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        signed = self.min_value is None or self.min_value < 0
        self.pattern = decimal_pattern(self.max_whole_digits, self.decimal_places, signed=signed)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("not_a_decimal_string")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text, slug, boolean and integer fields take only the JSON
    type the schema documents (see the strict fields above)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.BooleanField: StrictBooleanField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.DecimalField: StrictDecimalField,
    }
