"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..rules import RuleViolation
from ..services.cases import ActionNotPermitted, CaseConflict
from ..services.intake import IntakeInvalid

MSG_NOT_FOUND = "未找到所查询的记录"


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def api_exception_handler(exc, context):
    if isinstance(exc, IntakeInvalid):
        return Response(
            _body("invalid", "提交的内容有误", exc.errors), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, ActionNotPermitted):
        return Response(_body("not_permitted", exc.message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, CaseConflict):
        return Response(_body("conflict", exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleViolation):
        if exc.field:
            return Response(
                _body("invalid", exc.message, {exc.field: exc.message}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(_body("refused", exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404) and (not str(exc) or str(exc).isascii()):
        # Django's own "No Case matches the given query." is English: say it in Chinese.
        return Response(_body("not_found", MSG_NOT_FOUND), status=status.HTTP_404_NOT_FOUND)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        code = getattr(data["detail"], "code", "error")
        response.data = _body(str(code), str(data["detail"]))
    elif isinstance(data, dict):
        fields = {
            k: " ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in data.items()
        }
        response.data = _body("invalid", "提交的内容有误", fields)
    return response
