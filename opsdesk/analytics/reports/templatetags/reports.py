"""``{% export_url "stock_levels" "csv" %}``: the export of the current list page, with
the page's current filters (the request's query string, less the page number)."""

from django import template
from django.http import QueryDict
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def export_url(context, dataset: str, fmt: str, query: str | None = None) -> str:
    """``query`` (a query string) replaces the request's when the page's own parameters
    differ from its FilterSet's (the targets page's month)."""
    request = context.get("request")
    use_own = bool(query) or request is None
    query = QueryDict(query or "", mutable=True) if use_own else request.GET.copy()
    for key in ("page", "dataset", "format"):
        query.pop(key, None)
    query["dataset"] = dataset
    query["format"] = fmt
    return f"{reverse('reports:export')}?{query.urlencode()}"
