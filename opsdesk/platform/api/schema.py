"""OpenAPI generation: every operation documents the error statuses the API really returns.

DRF answers 401 without credentials (or with wrong ones at ``auth/token/``), 403 for a
role that may not use an endpoint, 404 for an out-of-scope or unknown object (also when
a filter names one, and for a page past the end), and 400 for a bad filter or body.
Declaring them keeps the schema honest for clients and for the contract tests
(schemathesis, ``tests/contract``), which also hold inputs to what DRF really accepts.
"""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from drf_spectacular.drainage import has_override
from drf_spectacular.plumbing import force_instance, get_view_model, is_patched_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .fields import PatternField, StrictCharField, StrictDecimalField, decimal_pattern

# What ``str.strip()`` removes (``str.isspace``), spelled for an ECMA/JSON Schema regex.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# DRF's CharField refuses NUL characters, and one that trims whitespace refuses a blank.
NO_NUL_PATTERN = r"^[^\x00]*$"
NOT_BLANK_PATTERN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"
# A wall-clock time such as 07:30:00 (TimeField's output): no offset, so not the RFC 3339
# "time" format, which requires one. Opening hours and shifts are in the store's zone.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name -> list of messages; ``non_field_errors`` for the whole request."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


# A well-formed request the record's current state refuses (``exceptions.Conflict``): an
# operation that can answer it declares it, e.g. ``responses={200: X, 409: CONFLICT_RESPONSE}``.
CONFLICT_RESPONSE = OpenApiResponse(
    ValidationErrorSerializer,
    description="Refused in the record's current state (e.g. no longer editable): "
    "the messages say why.",
)

ERROR_RESPONSES = {
    "401": OpenApiResponse(ErrorSerializer, description="Not signed in."),
    "403": OpenApiResponse(ErrorSerializer, description="Your role may not do this."),
    "404": OpenApiResponse(ErrorSerializer, description="Not found, or outside your scope."),
    "405": OpenApiResponse(ErrorSerializer, description="Method not allowed."),
    "406": OpenApiResponse(ErrorSerializer, description="Not acceptable."),
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERROR_RESPONSES)
        if self.method in ("POST", "PUT", "PATCH") or self._has_query_parameters():
            errors["400"] = OpenApiResponse(
                ValidationErrorSerializer, description="Invalid input: the messages say why."
            )
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = OpenApiResponse(ErrorSerializer, description="Unsupported media type.")
        if getattr(self.view, "action", None) in getattr(self.view, "conflict_actions", ()):
            errors["409"] = CONFLICT_RESPONSE  # the view lists the actions that can refuse so
        if not self.get_auth():
            errors.pop("401")
            errors.pop("403")
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    response.response, code, direction=direction
                )
                responses[code]["description"] = response.description
        return responses

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """A request serializer's rules across fields, which DRF checks in ``validate()``
        (``schema_rules(partial=...)``: e.g. an ``anyOf``), join its schema."""
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        serializer = force_instance(serializer)
        rules = getattr(serializer, "schema_rules", None)
        if direction == "request" and rules is not None:
            schema = {**schema, **rules(partial=is_patched_serializer(serializer, direction))}
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Say exactly what DRF accepts and returns where spectacular's mapping is looser."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema is None or has_override(field, "field") or "$ref" in schema:
            return schema
        if direction == "request" and not getattr(field, "allow_empty", True):
            # DRF refuses an empty list or dictionary there ("may not be empty").
            if schema.get("type") == "array":
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            elif schema.get("type") == "object":
                schema["minProperties"] = max(schema.get("minProperties", 0), 1)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = LOCAL_TIME_PATTERN
            schema.setdefault("example", "07:30:00")
        elif (
            direction == "request"
            and isinstance(field, serializers.FileField)
            and not field.allow_empty_file
            and schema.get("format") == "binary"
        ):
            schema["minLength"] = 1  # DRF refuses an empty file
        elif direction == "request" and isinstance(field, PatternField):
            schema["pattern"] = field.pattern  # exactly what the field checks
            if field.example is not None:
                schema.setdefault("example", field.example)
        elif direction == "request" and isinstance(field, StrictDecimalField):
            schema["pattern"] = field.pattern  # exactly what the field checks
        elif (
            direction == "request"
            and isinstance(field, serializers.DecimalField)
            and schema.get("format") == "decimal"
            and field.max_whole_digits is not None
            and not field.localize
        ):
            # spectacular's pattern also matches "", "-" and ".", which DRF refuses.
            schema["pattern"] = decimal_pattern(field.max_whole_digits, field.decimal_places)
        elif (
            direction == "request"
            and type(field) in (serializers.CharField, StrictCharField)
            and schema.get("type") == "string"
            and not {"format", "pattern", "enum"} & set(schema)
        ):
            blank_refused = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_PATTERN if blank_refused else NO_NUL_PATTERN
        return schema

    def _resolve_path_parameters(self, variables):
        """An id segment that accepts anything ("[^/]+", so that "1.5" gets the API's JSON
        404, not Django's HTML page) is still documented by its model field, an integer."""
        path_regex = self.path_regex
        self.path_regex = path_regex.replace(">[^/]+)", ">[^/.]+)")
        try:
            return super()._resolve_path_parameters(variables)
        finally:
            self.path_regex = path_regex

    def _get_filter_parameters(self):
        """Describe what django-filter accepts: empty values, and no NUL in text."""
        parameters = super()._get_filter_parameters()
        filters = self._filterset_filters()
        text_filters = {n for n, f in filters.items() if isinstance(f, django_filters.CharFilter)}
        names = _parameter_names(filters)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter["name"] in names and parameter.get("in") == "query":
                # django-filter ignores an empty value (?region=), as an HTML form sends it.
                parameter["allowEmptyValue"] = True
            if (
                parameter["name"] in text_filters
                and schema.get("type") == "string"
                and not {"format", "pattern", "enum"} & set(schema)
            ):
                schema["pattern"] = NO_NUL_PATTERN
        return parameters

    def _filterset_filters(self) -> dict:
        """The django-filter filters of this view's FilterSet, by parameter name."""
        model = get_view_model(self.view, emit_warnings=False)
        filters = {}
        for backend in self.get_filter_backends():
            if model is None or not issubclass(backend, DjangoFilterBackend):
                continue
            filterset_class = backend().get_filterset_class(
                self.view, model._default_manager.none()
            )
            if filterset_class is not None:
                filters.update(filterset_class.base_filters)
        return filters

    def _has_query_parameters(self) -> bool:
        return bool(
            self._get_filter_parameters()
            or self._get_pagination_parameters()
            or self.get_override_parameters()
        )


def _parameter_names(filters: dict) -> set[str]:
    """The query parameters of these filters: a range filter has two (``date_after``…)."""
    names = set()
    for name, filter_ in filters.items():
        names.add(name)
        # Never touch ``filter_.field`` here: on a FilterSet's class-level filter it would
        # build and cache the form field without a request (an empty queryset for the
        # scoped choice filters), and every later FilterSet would copy that cache.
        widget = filter_.extra.get("widget") or filter_.field_class.widget
        for suffix in getattr(widget, "suffixes", ()):
            names.add(f"{name}_{suffix}" if suffix else name)
    return names
