from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Map errors to the statuses the schema documents.

    - Services raise Django's ValidationError; the API answers it as a 400 like DRF's.
    - A refusal coded ``conflict`` (``CONFLICT``) is a 409 with the same body: the request
      was well formed, but the record's current state does not allow it (a submitted run
      no longer changes, a code is taken). Documented with ``schema.CONFLICT_RESPONSE``.
    - Wrong credentials (DRF's ``authorization`` validation code, e.g. a bad password at
      ``auth/token/``) are a 401 with ``WWW-Authenticate``, not a 400: the request was
      well formed, the credentials were not accepted.
    """
    if isinstance(exc, DjangoValidationError):
        conflict = _django_codes(exc) == {CONFLICT}
        exc = (Conflict if conflict else exceptions.ValidationError)(detail=_detail(exc))
    elif isinstance(exc, exceptions.ValidationError) and _only_code(exc, CONFLICT):
        exc = Conflict(detail=exc.detail)
    elif isinstance(exc, exceptions.ValidationError) and _only_code(exc, "authorization"):
        exc = _credentials_refused(exc, context)
    return drf_exception_handler(exc, context)


CONFLICT = "conflict"


class Conflict(exceptions.APIException):
    """409: refused in the record's current state; the body is shaped like a 400's."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record's current state does not allow this.")
    default_code = CONFLICT


def as_conflict(exc: DjangoValidationError) -> Conflict:
    """A service's refusal as a 409, where the view knows the input itself was checked
    (e.g. a partial update that only clashes with the stored values)."""
    return Conflict(detail=_detail(exc))


@contextmanager
def conflicts():
    """Inside, a service's refusal (Django ``ValidationError``) is a 409: for a view that
    has checked the whole input already (its serializer, a 400), so what the service
    still refuses is the stored records' state (an order no longer open, a quantity above
    what is outstanding, a product not on the order, a code already taken)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise as_conflict(exc) from None


def _detail(exc: DjangoValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def _django_codes(exc: DjangoValidationError) -> set:
    errors = (
        [e for errors in exc.error_dict.values() for e in errors]
        if hasattr(exc, "error_dict")
        else exc.error_list
    )
    return {e.code for e in errors}


def _only_code(exc: exceptions.ValidationError, code: str) -> bool:
    codes = exc.get_codes()
    if isinstance(codes, dict):
        codes = [
            c for value in codes.values() for c in (value if isinstance(value, list) else [value])
        ]
    elif not isinstance(codes, list):
        codes = [codes]
    return bool(codes) and all(c == code for c in codes)


def _credentials_refused(exc, context) -> exceptions.AuthenticationFailed:
    messages = exc.detail.get("non_field_errors") if isinstance(exc.detail, dict) else exc.detail
    message = messages[0] if isinstance(messages, list) and messages else None
    refused = exceptions.AuthenticationFailed(detail=message, code="authorization")
    view, request = context.get("view"), context.get("request")
    header = view.get_authenticate_header(request) if view and request else None
    if header:
        refused.auth_header = header
    else:  # as DRF does: a 401 must name a scheme, so without one it is a 403
        refused.status_code = status.HTTP_403_FORBIDDEN
    return refused


def validate_or_404(serializer) -> dict:
    """``serializer.is_valid()``, where naming a record that does not exist (or that you
    may not see) is a 404, as in a URL or a filter (``stores.filters.ScopedFilterBackend``),
    not a 400, and a value another record holds already (``unique``: a code, a SKU) is a
    409 (when both, the 404); any other error stays a 400. Returns the validated data."""
    if serializer.is_valid():
        return serializer.validated_data
    codes = _field_codes(serializer.errors)
    if not codes or not set(codes.values()) <= {"does_not_exist", "unique"}:
        raise exceptions.ValidationError(serializer.errors)
    missing = [name for name, code in codes.items() if code == "does_not_exist"]
    if not missing:
        raise Conflict(detail=serializer.errors)
    field = serializer.fields[missing[0]]
    field = getattr(field, "child_relation", field)
    model = field.get_queryset().model
    raise exceptions.NotFound(_("No such %(object)s.") % {"object": model._meta.verbose_name})


def _field_codes(errors) -> dict:
    """{field: its one error code} for top-level fields with exactly one error each, or
    {} when any field has several errors or nested ones."""
    codes = exceptions.ValidationError(errors).get_codes()
    result = {}
    for name, value in codes.items() if isinstance(codes, dict) else ():
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            result[name] = value[0]
        else:
            return {}
    return result
