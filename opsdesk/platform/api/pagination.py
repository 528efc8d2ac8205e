"""The API's pagination: page numbers, with malformed parameters refused (400).

DRF silently ignores a ``page_size`` it cannot read and accepts ``page=last``; the
schema promises whole numbers from 1, so anything else is refused with a message.
A ``page_size`` above ``max_page_size`` is capped, and a page past the end is a 404.
"""

import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

_WHOLE_NUMBER = re.compile(r"[1-9][0-9]*")


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        # A huge number is capped without parsing it (int() refuses > 4300 digits).
        return min(int(raw), self.max_page_size) if len(raw) <= 9 else self.max_page_size

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise ValidationError({self.page_query_param: ["Enter a whole number from 1."]})
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page (default {self.page_size}; "
                    f"larger values are capped at {self.max_page_size})."
                )
        return parameters
