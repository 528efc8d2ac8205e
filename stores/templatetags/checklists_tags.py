"""Template helpers of the checklist pages."""

from django import template

from stores.i18n import local_text

register = template.Library()

# ``obj|local_text:"name"``: the Chinese name on a Chinese page when there is one.
register.filter("local_text", local_text)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
