"""What the sales pages share."""

from __future__ import annotations

import csv
import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

from opsdesk.platform.formulas import escape_row


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return error.messages


def _date(request, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return default


def _month(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return datetime.date.fromisoformat(raw + "-01" if len(raw) == 7 else raw).replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _csv_download(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(escape_row(header))
    writer.writerows(escape_row(row) for row in rows)
    return response


def _file_download(field, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    with field.open("rb") as source:
        for chunk in source.chunks():
            response.write(chunk)
    return response


def _form_errors(form, error: ValidationError) -> None:
    """A service's errors onto the form: per field where the form has it."""
    mapping = {"store_ids": "stores", "product_ids": "products"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        field = mapping.get(field, field)
        form.add_error(field if field in form.fields else None, messages_)
