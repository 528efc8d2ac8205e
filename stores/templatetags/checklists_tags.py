"""Template helpers of the checklist pages."""

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def local_text(obj, field: str) -> str:
    """``obj.<field>_zh`` when the page is in Chinese and it is filled in, else ``obj.<field>``.

    Works on models and on dicts (single-choice options)."""
    get = obj.get if isinstance(obj, dict) else lambda name, default="": getattr(obj, name, default)
    if (translation.get_language() or "").startswith("zh"):
        chinese = get(f"{field}_zh", "")
        if chinese:
            return chinese
    return get(field, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
