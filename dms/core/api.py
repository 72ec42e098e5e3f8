"""API plumbing shared by every app: pagination and the one error shape
``{"error": {"code", "message", "fields"}}``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import ScopeError
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def json_body(request) -> dict:
    """The request's JSON object; anything else (a list, a string) is a 400."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return request.data


def error_response(code, message, http_status, fields=None, headers=None, extra=None):
    return Response(
        {"error": {"code": code, "message": str(message), "fields": fields or {}, **(extra or {})}},
        status=http_status, headers=headers,
    )


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(x) if not isinstance(x, dict | list) else _flatten(x) for x in detail]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.status, {k: _flatten(v) for k, v in exc.fields.items()},
                              extra=exc.extra)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return error_response("validation_error", _("Some fields are invalid."), 400, fields)
    if isinstance(exc, Http404 | ScopeError):
        return error_response("not_found", _("Not found."), 404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_response("validation_error", _("Some fields are invalid."), 400, _flatten(detail))
    codes = {
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "permission_denied",
        status.HTTP_404_NOT_FOUND: "not_found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
        status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
    }
    code = codes.get(response.status_code, getattr(exc, "default_code", "error"))
    if response.status_code == 401 and isinstance(exc, exceptions.AuthenticationFailed):
        code = "invalid_token" if "token" in str(getattr(exc, "get_codes", lambda: "")()) else "not_authenticated"
    message = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    return error_response(code, message or exc, response.status_code, headers=dict(response.headers))
