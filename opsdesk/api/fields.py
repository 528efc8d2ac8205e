"""Serializer fields that accept exactly what the schema documents.

DRF's CharField turns a JSON number (``{"title": 12}``) into the string "12", so a
request the schema calls invalid would be accepted. ``StrictCharField`` refuses
anything but a JSON string, with DRF's own message; the schema (``schema.py``) maps it
like a CharField, with the same NUL and blank patterns.
"""

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
