"""The workflow's rules in one place: who may run each transition, the guards, the field
validators and their messages (constants, so tests and callers can rely on them)."""

from __future__ import annotations

import datetime as dt
import re

from agencies.models import Role
from common import limits
from common.errors import RuleViolation  # noqa: F401  (re-exported: the one refusal class)

from .outcomes import OUTCOME_KEYS

# --- who may run each transition (SPEC §1) -----------------------------------------------
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    "register": frozenset({Role.CLERK, Role.HANDLER}),
    "request_supplement": frozenset({Role.HANDLER}),
    "record_supplement": frozenset({Role.CLERK, Role.HANDLER}),
    "deem_abandoned": frozenset({Role.HANDLER}),
    "start_consultation": frozenset({Role.HANDLER}),
    "finish_consultation": frozenset({Role.HANDLER}),
    "issue_fee_notice": frozenset({Role.HANDLER}),
    "record_fee_payment": frozenset({Role.CLERK, Role.HANDLER}),
    "close_fee_unpaid": frozenset({Role.HANDLER}),
    "start_drafting": frozenset({Role.HANDLER}),
    "submit_for_approval": frozenset({Role.HANDLER}),
    "return_for_revision": frozenset({Role.APPROVER}),
    "approve_and_close": frozenset({Role.APPROVER}),
    "answer_on_the_spot": frozenset({Role.CLERK, Role.HANDLER}),
    "withdraw": frozenset({Role.CLERK, Role.HANDLER}),
    "void": frozenset({Role.APPROVER}),
    "request_extension": frozenset({Role.HANDLER}),
    "approve_extension": frozenset({Role.APPROVER}),
    "refuse_extension": frozenset({Role.APPROVER}),
    "defer_reply": frozenset({Role.APPROVER}),
    "close_imported": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER, Role.ADMINISTRATOR}),
    "edit": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
}

TRANSITION_LABELS: dict[str, str] = {
    "request_supplement": "补正告知",
    "record_supplement": "登记补正材料",
    "deem_abandoned": "逾期未补正，视为放弃",
    "start_consultation": "征求意见（中止计时）",
    "finish_consultation": "意见已收回（恢复计时）",
    "issue_fee_notice": "发出收费通知（中止计时）",
    "record_fee_payment": "登记缴费（恢复计时）",
    "close_fee_unpaid": "逾期未缴费，不再处理",
    "start_drafting": "开始拟办",
    "submit_for_approval": "提交审核",
    "return_for_revision": "退回修改",
    "approve_and_close": "审核通过并答复办结",
    "answer_on_the_spot": "当场答复办结",
    "withdraw": "申请人撤回",
    "void": "作废（登记错误）",
    "close_imported": "导入已办结案件",
    "request_extension": "申请延期答复",
    "approve_extension": "批准延期",
    "refuse_extension": "不批准延期",
    "defer_reply": "确定延迟答复期限（第三十五条）",
}

# --- limits of the Regulations --------------------------------------------------------------
REPLY_WORKING_DAYS = 20  # Art. 33
MAX_EXTENSION_DAYS = 20  # Art. 33 para 2
SUPPLEMENT_WINDOW_DAYS = 7  # Art. 30
FEE_PAYMENT_DAYS = 20  # fee measures

# --- messages -------------------------------------------------------------------------------
MSG_CONFLICT = "案件已被他人修改，请刷新后重试"
MSG_WRONG_STATE = "案件当前状态为“{state}”，不能执行“{action}”"
MSG_SUPPLEMENT_ONCE = "补正只能告知一次（条例第三十条）"
MSG_SUPPLEMENT_LATE = (
    "补正告知须在收到申请之日起7个工作日内作出（条例第三十条），已过{days}个工作日"
)
MSG_SUPPLEMENT_DUE_BEFORE = "补正期限须晚于告知日期"
MSG_SUPPLEMENT_MISSING = "请写明需要补正的事项"
MSG_SUPPLEMENT_NOT_DUE = "补正期限（{due}）尚未届满，不能视为放弃"
MSG_DATE_FUTURE = limits.MSG_DATE_FUTURE  # "日期不能晚于今天"
MSG_DATE_BEFORE = "日期不能早于{what}（{date}）"
MSG_EXTENSION_DAYS = "延期不得超过20个工作日（条例第三十三条第二款），且至少1个工作日"
MSG_EXTENSION_REASON = "请写明延期理由"
MSG_EXTENSION_LATE = "答复期限（{due}）已过，不能再申请延期"
MSG_CLOCK_STOPPED = "计时已中止（征求意见或待缴费），此时不能申请延期"
MSG_OUTCOME_UNKNOWN = "办理结果“{key}”不是有效的结果代码"
MSG_OUTCOME_REQUIRED = "请选择办理结果"
MSG_OUTCOME_OWN_PATH = "“{key}”须通过相应流程（逾期不补正/逾期未缴费）办结"
MSG_OUTCOME_NEEDS_SUPPLEMENT = "未曾补正告知的申请不能以“补正后申请内容仍不明确”办结"
MSG_ON_THE_SPOT = "当场答复仅适用于当面提交且当日答复的申请"
MSG_FEE_AMOUNT = "收费金额须大于0"
MSG_FEE_NOT_DUE = "缴费期限（{due}）尚未届满"
MSG_RECEIPT_NO = "请填写财政票据号"
MSG_REASON_REQUIRED = "请填写理由"
MSG_VOID_REASON = "作废须写明原因"
MSG_ID_NUMBER = "身份证号码无效（须为18位且校验位正确）"
MSG_ID_BIRTH_FUTURE = "身份证号码中的出生日期（{born}）晚于今天，请核对"
MSG_CREDIT_CODE = "统一社会信用代码无效（须为18位且校验位正确）"
MSG_ID_REQUIRED_PERSON = "自然人申请须填写身份证号码"
MSG_REQUIRED = "此项为必填项"
MSG_CHANNEL_DATE = "{channel}须填写{field}"
MSG_PHONE = "联系电话格式不正确"
MSG_POSTCODE = "邮政编码须为6位数字"
MSG_ADDRESS_FOR_POST = "选择邮寄送达须填写通信地址"
MSG_EMAIL_FOR_EMAIL = "选择电子邮件送达须填写电子邮箱"
MSG_EXTENSION_APPROVE_LATE = "答复期限（{due}）已过，延期须在期限届满前批准并告知申请人"
MSG_DEFERRAL_NOT_LATER = "延迟答复期限须晚于当前答复期限（{due}）"
MSG_DEFERRAL_LATE = "答复期限（{due}）已过，延迟答复期限须在期限届满前确定并告知申请人"
MSG_SUPPLEMENT_AFTER_EXTENSION = "已申请或批准延期的案件不能再补正告知"
MSG_ASSIGN_NOT_HANDLER = "所选人员不是本机关的承办人"
MSG_ASSIGN_TAKEN = "案件已有承办人，只有审核人可以改派"
MSG_ASSIGN_CLOSED = "已办结或作废的案件不能指定承办人"


# --- FSM conditions (depend on the row only) -----------------------------------------------
def supplement_not_yet_requested(case) -> bool:
    return case.supplement_requested_on is None


supplement_not_yet_requested.message = MSG_SUPPLEMENT_ONCE  # type: ignore[attr-defined]


def case_is_open(case) -> bool:
    return case.is_open


case_is_open.message = "案件已办结或作废"  # type: ignore[attr-defined]


def case_is_open_and_running(case) -> bool:
    return case_is_open(case) and not case.clock_stopped


case_is_open_and_running.message = MSG_CLOCK_STOPPED  # type: ignore[attr-defined]


# --- validators of applicant identity -------------------------------------------------------
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_number_problem(value: str, today: dt.date | None = None) -> str | None:
    """What is wrong with an 18-digit resident identity number (GB 11643), or None: the
    format, a birth date that does not exist or lies in the future, the ISO 7064 check digit."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return MSG_ID_NUMBER
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return MSG_ID_NUMBER
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return MSG_ID_NUMBER
    if born > (today or dt.date.today()):
        return MSG_ID_BIRTH_FUTURE.format(born=born.isoformat())
    return None


def id_number_is_valid(value: str, today: dt.date | None = None) -> bool:
    return id_number_problem(value, today) is None


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def credit_code_is_valid(value: str) -> bool:
    """Unified social credit code (GB 32100-2015): 18 characters and its check character."""
    value = value.strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == value[17]


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def outcome_check(key: str) -> None:
    if not key:
        raise RuleViolation(MSG_OUTCOME_REQUIRED, "outcome")
    if key not in OUTCOME_KEYS:
        raise RuleViolation(MSG_OUTCOME_UNKNOWN.format(key=key), "outcome")
