"""Helpers shared by the staff pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator


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


def filtered_page(request, filterset_class, queryset, per_page: int = 50) -> dict:
    """A list page's context: the FilterSet (shared with the API and the export) over the
    scoped queryset, the page of rows, and the query without ``page`` for its links."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "page_obj": Paginator(rows, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }


def list_template(request, page: str, results: str) -> str:
    """htmx filtering swaps only the results; the form keeps its focus and input."""
    return results if request.htmx and not request.htmx.boosted else page
