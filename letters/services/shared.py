"""Who may do what with a letter (SPEC §1: the handler drafts, the approver signs off and
issues), the messages every letter service raises, and the small helpers they share: the
role check and its security-logged refusal, the row lock, the letter event in the case history."""

from __future__ import annotations

from typing import Any

from agencies.models import Agency, Role
from agencies.selectors import user_has_role
from common.errors import MSG_NOT_PERMITTED
from requests_app.history import LetterEvent, history_write
from requests_app.models import (
    EventKind,
)
from requests_app.outcomes import Outcome
from requests_app.services.cases import ActionNotPermitted
from security.events import security_event_defer
from security.kinds import SecurityEventKind

from ..models import (
    Letter,
    LetterKind,
)

# --- who may do what (SPEC §1: the handler drafts, the approver signs off and issues) --------
LETTER_ROLES: dict[str, frozenset[str]] = {
    "draft": frozenset({Role.HANDLER}),
    "draft_receipt": frozenset({Role.CLERK, Role.HANDLER}),
    "edit": frozenset({Role.HANDLER, Role.APPROVER}),
    "approve": frozenset({Role.APPROVER}),
    "issue": frozenset({Role.APPROVER}),
    # A 登记回执 decides nothing: the handler may sign it off; clerks too where the agency
    # lets them (`letter_action_roles`, the one place for that rule).
    "approve_receipt": frozenset({Role.HANDLER, Role.APPROVER}),
    "issue_receipt": frozenset({Role.HANDLER, Role.APPROVER}),
    "deliver": frozenset({Role.CLERK, Role.HANDLER}),
    "render": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
    "template": frozenset({Role.ADMINISTRATOR}),
}

MSG_REPLY_NOT_ISSUED = "须先签发答复书"
MSG_REPLY_OUTCOME = "答复书的办理结果（{letter}）与案件的办理结果（{case}）不一致"
MSG_REPLY_NEEDS_OUTCOME = "请先确定办理结果再拟写答复书"
MSG_REPLY_STATE = "案件须处于“待审核”或“已办结”状态才能签发答复书"
MSG_REPLY_EXISTS = "本案已签发答复书（{number}），如需更正请制作更正文书"
MSG_UNKNOWN_KIND = "未知的文书类型：{kind}"
MSG_UNKNOWN_OUTCOME = "未知的办理结果：{outcome}"
MSG_ISSUED_FROZEN = "已签发的文书不能修改；如需更正，请制作更正文书"
MSG_NOT_DRAFT = "文书当前状态为“{state}”，不能执行此操作"
MSG_NOT_APPROVED = "文书须经审核人审核后才能签发"
MSG_CASE_VOID = "已作废的案件不能制作文书"
MSG_REPLACES = "只能更正本案已签发的同类文书"
MSG_DETAIL_REQUIRED = "请填写“{label}”"
MSG_DATE_FUTURE = "签发日期不能晚于今天"
MSG_DATE_BEFORE_RECEIPT = "签发日期不能早于收到申请之日（{date}）"
MSG_AGENCY_REMEDY = "本机关未配置{what}，无法写明救济途径，请系统管理员先在机关信息中填写"
MSG_NOT_ISSUED = "文书尚未签发"
MSG_NO_DEFERRAL = "案件尚未确定延迟答复期限（第三十五条），不能签发依第三十五条的延期答复告知书"
MSG_DELIVERY_METHOD = "请选择送达方式"
MSG_TRACKING_REQUIRED = "邮寄送达请填写邮件单号"
MSG_EMAIL_REQUIRED = "电子邮件送达请填写电子邮箱"
MSG_RECEIVED_BEFORE_SENT = "申请人收到日期不能早于发出日期"
MSG_DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
MSG_FEE_AMOUNT = "收费金额须为大于零的数字（元）"
MSG_FEE_MISMATCH = "收费通知的金额（{letter}元）与案件登记的收费金额（{case}元）不一致"
MSG_TEMPLATE_KEY = "未知的模板：{key}"
MSG_DATE_MISMATCH = "文书中的{label}（{letter}）与案件记录（{case}）不一致"
MSG_TEMPLATE_UNSAFE = "机关上传的文书模板不安全，已停用，未生成文件：请重新上传模板后重新生成。"
MSG_TEMPLATE_FILE_MISSING = "模板文件无法读取"
MSG_RECEIPT_NOT_ISSUED = "登记回执未能自动出具，请手工出具：{error}"
MSG_ISSUE_ATTEMPTS = "自动签发已尝试 {attempts} 次仍未完成"


# Replies that hand over information: their documents need the approver's sign-off (issue 14).
RELEASING_OUTCOMES = frozenset({Outcome.DISCLOSED, Outcome.PARTIALLY_DISCLOSED})


class LetterNotPermitted(ActionNotPermitted):
    """The user's role in the case's agency does not allow the letter action."""


RECEIPT_SIGN_OFF_ACTIONS = frozenset({"approve_receipt", "issue_receipt"})


def clerks_issue_receipts(agency: Agency) -> bool:
    """Whether the agency's clerks issue receipts themselves, while the applicant waits (SPEC §1:
    the clerk prints receipts). Agencies that issue receipts automatically on registration have
    the registering clerk issue them, so they allow it too."""
    return agency.clerks_issue_receipts or agency.receipt_on_registration


def letter_action_roles(action: str, agency: Agency) -> frozenset[str]:
    """The roles that may do a letter action in the agency (LETTER_ROLES plus the agency's
    receipt setting)."""
    roles = LETTER_ROLES[action]
    if action in RECEIPT_SIGN_OFF_ACTIONS and clerks_issue_receipts(agency):
        roles = roles | {Role.CLERK}
    return roles


def _check_role(by, agency_id: int, action: str) -> None:
    roles = LETTER_ROLES[action]
    if action in RECEIPT_SIGN_OFF_ACTIONS:
        roles = letter_action_roles(action, Agency.objects.get(pk=agency_id))
    if by is None or not user_has_role(by, agency_id, roles):
        letter_refused(by, agency_id, action)


def letter_refused(by, agency_id: int, action: str):
    """Refuse, with the refusal in the security log (kept past the transaction's rollback)."""
    security_event_defer(
        SecurityEventKind.ACCESS_DENIED,
        user=by,
        object_type="agencies.agency",
        object_id=agency_id,
        details={"action": f"letter_{action}"},
    )
    raise LetterNotPermitted(MSG_NOT_PERMITTED)


def action_for(letter: Letter, action: str) -> str:
    return f"{action}_receipt" if letter.kind == LetterKind.RECEIPT else action


def _event(letter: Letter, by, event: LetterEvent, reason: str = "", **changes: Any) -> None:
    history_write(
        case_id=letter.case_id,
        kind=EventKind.LETTER,
        transition=event,
        by=by,
        reason=reason,
        changes={"letter": str(letter.public_id), "kind": letter.kind, **changes},
    )


def _lock(letter_id: int) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("case__agency", "agency")
        .get(pk=letter_id)
    )


def _body_lines(body: str | list[str]) -> list[str]:
    lines = body if isinstance(body, list) else body.splitlines()
    return [line.strip() for line in lines if line.strip()]
