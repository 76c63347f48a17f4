"""The one API error handler (settings REST_FRAMEWORK EXCEPTION_HANDLER) for every API view of
every app: the error family of common/errors.py, each class one status, in the one shape
{"error": {"code", "message", "fields"}} built by common.api_errors."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .api_errors import MSG_TOO_LARGE, error_body
from .errors import MSG_INVALID, Conflict, FieldErrors, NotPermitted, RuleViolation

MSG_NOT_FOUND = "未找到所查询的记录"

# Who hears of a refused API request (DRF's PermissionDenied / NotAuthenticated): common sits
# below security, so the security log registers itself here from security/apps.py ready().
_denied_hooks: list = []


def api_denied_register(hook) -> None:
    """Register `hook(request, reason)`, called for every refused API request."""
    if hook not in _denied_hooks:
        _denied_hooks.append(hook)


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # The body is over DATA_UPLOAD_MAX_MEMORY_SIZE (Django raises it while DRF reads it).
        return Response(
            error_body("too_large", MSG_TOO_LARGE), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, FieldErrors):
        fields, message = exc.errors, MSG_INVALID
        if isinstance(fields, list):
            fields, message = {}, "；".join(fields)
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotPermitted):
        return Response(error_body("not_permitted", exc.message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response(error_body("conflict", exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleViolation):
        if exc.field:
            return Response(
                error_body("invalid", exc.message, {exc.field: exc.message}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(error_body("refused", exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404) and (not str(exc) or str(exc).isascii()):
        # Django's own "No Case matches the given query." is English: say it in Chinese.
        return Response(error_body("not_found", MSG_NOT_FOUND), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated):
        # (ActionNotPermitted, a refused case action, is logged where it is raised.)
        request = context.get("request")
        for hook in _denied_hooks:
            hook(request, str(exc.detail)[:200])
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        code = getattr(data["detail"], "code", "error")
        response.data = error_body(str(code), str(data["detail"]))
    elif isinstance(data, dict):
        response.data = error_body("invalid", MSG_INVALID, _flat(data))
    elif isinstance(data, list):
        response.data = error_body("invalid", " ".join(map(str, data)))
    return response


def _flat(errors: dict) -> dict[str, str]:
    """Field → one message (nested serializers' errors joined, keyed by their dotted path)."""
    flat: dict[str, str] = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            for inner, message in _flat(value).items():
                flat[f"{key}.{inner}"] = message
        elif isinstance(value, list):
            flat[key] = " ".join(
                message
                for item in value
                for message in (_flat(item).values() if isinstance(item, dict) else [str(item)])
            )
        else:
            flat[str(key)] = str(value)
    return flat
