"""One error family (common/errors.py) and one API handler (common/api_handler.py), issue 12:
permission 403, conflict 409, validation 400 naming the field, the same JSON shape for every
app's refusals — letters' and audits' "not permitted" are the same class as the cases'."""

import pytest

from audits.services import AuditInvalid
from audits.services import NotPermitted as AuditNotPermitted
from common import errors
from common.api_handler import api_exception_handler
from documents.services import DocumentNotPermitted
from letters.services import LetterNotPermitted
from reporting.services import SectionsInvalid
from requests_app.services.cases import ActionNotPermitted, CaseConflict
from requests_app.services.intake import IntakeInvalid

CASES = [
    (ActionNotPermitted(errors.MSG_NOT_PERMITTED), 403, "not_permitted", {}),
    (LetterNotPermitted(errors.MSG_NOT_PERMITTED), 403, "not_permitted", {}),
    (AuditNotPermitted(errors.MSG_NOT_PERMITTED), 403, "not_permitted", {}),
    (DocumentNotPermitted("无权"), 403, "not_permitted", {}),
    (CaseConflict("已被他人修改"), 409, "conflict", {}),
    (errors.RuleViolation("状态不允许"), 409, "refused", {}),
    (errors.RuleViolation("日期有误", "on"), 400, "invalid", {"on": "日期有误"}),
    (SectionsInvalid({"overview": "太长"}), 400, "invalid", {"overview": "太长"}),
    (IntakeInvalid({"channel": "此项为必填项"}), 400, "invalid", {"channel": "此项为必填项"}),
    (AuditInvalid({"agency": "未知机关"}), 400, "invalid", {"agency": "未知机关"}),
]


@pytest.mark.parametrize(("exc", "status", "code", "fields"), CASES)
def test_each_refusal_has_one_status_and_the_one_shape(exc, status, code, fields):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert set(response.data) == {"error"}
    body = response.data["error"]
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code and body["fields"] == fields and body["message"]


def test_every_not_permitted_is_the_common_class_with_one_message():
    for cls in (ActionNotPermitted, LetterNotPermitted, AuditNotPermitted, DocumentNotPermitted):
        assert issubclass(cls, errors.NotPermitted)
    assert AuditNotPermitted().message == errors.MSG_NOT_PERMITTED
    assert issubclass(CaseConflict, errors.Conflict)
    assert issubclass(IntakeInvalid, errors.FieldErrors)


def test_a_list_of_problems_is_one_message():
    response = api_exception_handler(AuditInvalid(["row 2: 机关不存在", "row 3: 日期有误"]), {})
    assert response.status_code == 400
    assert response.data["error"]["message"] == "row 2: 机关不存在；row 3: 日期有误"


@pytest.mark.django_db
def test_a_refused_api_request_reaches_the_security_log_through_the_common_hook():
    """common sits below security: the handler calls the hooks security/apps.py registered."""
    from rest_framework.exceptions import PermissionDenied

    from security.kinds import SecurityEventKind
    from security.models import SecurityEvent

    response = api_exception_handler(PermissionDenied("不行"), {})
    assert response.status_code == 403
    row = SecurityEvent.objects.get(kind=SecurityEventKind.ACCESS_DENIED)
    assert row.details["reason"] == "不行"
