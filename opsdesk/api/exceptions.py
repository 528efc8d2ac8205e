from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Map errors to the statuses the schema documents.

    - Services raise Django's ValidationError; the API answers it as a 400 like DRF's.
    - Wrong credentials (DRF's ``authorization`` validation code, e.g. a bad password at
      ``auth/token/``) are a 401 with ``WWW-Authenticate``, not a 400: the request was
      well formed, the credentials were not accepted.
    """
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, exceptions.ValidationError) and _only_code(exc, "authorization"):
        exc = _credentials_refused(exc, context)
    return drf_exception_handler(exc, context)


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
