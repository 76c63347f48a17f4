"""The API's one error shape, {"error": {"code", "message", "fields"}}, in one place: the body
builder used by the exception handler (common/api_handler.py), the JSON answers for what never
reaches a view (an unknown route under /api/, a body over DATA_UPLOAD_MAX_MEMORY_SIZE), and the
schema of the error responses that drf-spectacular adds to every operation."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

MSG_NOT_FOUND = "请求的接口或对象不存在"
MSG_TOO_LARGE = "提交的内容过大"
MSG_SERVER_ERROR = "服务器内部错误，请稍后重试或联系管理员"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str) -> JsonResponse:
    """The error shape outside DRF (a plain Django view or a URL that matches no view)."""
    return JsonResponse(
        error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False}
    )


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that no route matches: JSON 404, never the HTML page."""
    return error_response(404, "not_found", MSG_NOT_FOUND)


def server_error(request, *args, **kwargs):
    """handler500: the error shape under /api/, Django's page elsewhere (DEBUG off)."""
    if request.path.startswith("/api/"):
        return error_response(500, "server_error", MSG_SERVER_ERROR)
    return defaults.server_error(request, *args, **kwargs)


# Status codes every authenticated operation may answer with, and what each means.
ERROR_RESPONSES = {
    "400": "提交的内容有误（fields 指明字段）",
    "403": "未登录或无权执行",
    "404": "对象不存在或无权查看",
    "405": "不支持的请求方法",
    "406": "不支持的响应格式",
    "409": "状态不允许或已被他人修改",
    "413": "提交的内容过大",
    "415": "不支持的提交格式",
    "429": "请求过于频繁，请稍后再试",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the error responses, each
    with the one error shape (an operation's own description of a code is kept)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorDetail",
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["code", "message", "fields"],
        },
    )
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
            "required": ["error"],
        },
    )
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                response = responses.setdefault(code, {"description": description})
                response["content"] = content
    return result
