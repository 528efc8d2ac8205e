"""Helpers shared by the staff pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return list(error.messages)


def form_errors(form, error: ValidationError) -> None:
    """A service's errors onto the form: per field where the form has it."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
