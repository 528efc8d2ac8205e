"""Names in the active language: ``<field>_zh`` for a Chinese reader when it is filled in.

Used by templates (the ``local_text`` filter) and by code that writes to people in their
own language (notifications render under ``translation.override``)."""

from __future__ import annotations

from django.utils import translation


def local_text(obj, field: str) -> str:
    """``obj.<field>_zh`` when the active language is Chinese and it is filled in, else
    ``obj.<field>``. Works on models and on dicts (single-choice options)."""
    get = obj.get if isinstance(obj, dict) else lambda name, default="": getattr(obj, name, default)
    if (translation.get_language() or "").startswith("zh"):
        chinese = get(f"{field}_zh", "")
        if chinese:
            return chinese
    return get(field, "")


def store_label(store) -> str:
    """A store as people read it in a message: its code and its name in the active
    language (``SH001 Jing'an`` / ``SH001 静安店``)."""
    return f"{store.code} {local_text(store, 'name')}"
