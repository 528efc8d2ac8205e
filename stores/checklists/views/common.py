"""What the checklist pages share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)
