"""Template helpers of the staff pages."""

from django import template
from django.utils.translation import get_language

from .. import times

register = template.Library()


@register.filter
def index(values, position):
    """``values[position]`` (a week's day totals by column)."""
    try:
        return values[int(position)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if hasattr(mapping, "get") else []


@register.filter
def shift_times(shift):
    """ "09:00–17:00" on the store's wall clock (the shift's store is fetched with it)."""
    tz = shift.store.tz
    start = times.local(shift.start_at, tz)
    end = times.local(shift.end_at, tz)
    night = "+1" if end.date() > start.date() else ""
    return f"{start:%H:%M}–{end:%H:%M}{night}"


@register.filter
def course_name(course):
    """The course's name in the current language."""
    if (get_language() or "").lower().startswith("zh") and course.name_zh:
        return course.name_zh
    return course.name
