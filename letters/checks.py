"""The one issuing gate (SPEC §4, issue 9 item 1): `letter_ready_check(letter)` is called by
`letter_approve` and `letter_issue`, so every path — web pages, API, admin, commands — passes
through it. It refuses (RuleViolation naming the field) a letter whose required detail is empty,
still a template hint, or only restates the outcome's category; a legal basis that is generic
("条例有关条款"); a reply whose outcome is not the case's; a supplement period below the agency's
minimum without a reason; an extension notice issued after the original deadline; a fee notice
whose amount is not the one computed by the 109号 tiers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from requests_app.models import ClockKind, EventKind
from requests_app.outcomes import TABLE3_OUTCOME_ROWS_2021, Outcome
from requests_app.rules import RuleViolation

from . import fees, legal, variants
from .models import Letter, LetterKind

MSG_DETAIL_REQUIRED = "请填写“{label}”"
MSG_DETAIL_HINT = "“{label}”仍是填写提示，请写明实际内容"
MSG_DETAIL_LABEL_ONLY = "“{label}”只重复了办理结果的类别名称，请用本机关自己的话写明具体理由"
MSG_BASIS_GENERIC = "“{label}”不能只写“有关条款”等笼统表述，请写明具体的法律、法规名称和条款"
MSG_BASIS_ARTICLE = "“{label}”须写明法律、行政法规的名称（《》）和具体条款（第…条）"
MSG_CHOICE = "“{label}”请从给定选项中选择"
MSG_DATE_FORMAT = "“{label}”的日期格式应为 YYYY-MM-DD"
MSG_NOT_HELD_SAYS_ABSENT = (
    "“不属于本机关负责公开的理由”不能写“不存在”：第三十六条第（五）项的答复不说信息不存在"
)
MSG_NOT_WITHDRAWN = "案件没有撤回申请的记录，不能按撤回终止办理作答"
MSG_NO_CONSULTATION = "案件未记录征求第三方意见，不能写“{choice}”；请先在案件上办理“征求意见”"
MSG_REPLY_OUTCOME = "答复书的办理结果（{letter}）与案件的拟办结果（{case}）不一致"
MSG_SUPPLEMENT_SHORT = "补正期限（{days}日）短于本机关设定的最短期限（{minimum}日），请写明理由"
MSG_EXTENSION_LATE = "延期答复告知书须在原答复期限（{due}）届满前签发"
MSG_FEE_AMOUNT = "收费金额须为数字（元）"
MSG_FEE_MISMATCH = "填写的金额（{typed}元）与按收费标准计算的金额（{computed}元）不一致"
MSG_FEE_ZERO = "按收费标准计算的金额为零，不应发出收费通知"
MSG_FEE_CASE = "收费通知的金额（{letter}元）与案件登记的收费金额（{case}元）不一致"
MSG_BODY_REQUIRED = "请填写“正文”"
MSG_BODY_HINT = "正文仍含填写提示，请改为实际内容"

# Hints of earlier templates and drafts: never accepted as content.
LEGACY_HINTS = (
    "（请写明具体理由及依据条款）",
    "（请写明处理情况及所依据的法律、行政法规条款。）",
)
# A hint in brackets ("（请写明……）") or a blank to fill; "请写明文件名称" alone may be content
# (a supplement notice asks the applicant to write something).
HINT_MARKERS = (
    "（请写明",
    "（请填写",
    "（请选择",
    "(请写明",
    "(请填写",
    "【请",
    "请在此处",
    "此处填写",
    "XXX",
    "×××",
)
GENERIC_BASES = (
    "有关条款",
    "相关条款",
    "有关规定",
    "相关规定",
    "有关法律",
    "相关法律",
    "有关法律法规",
    "相关法律法规",
    "法律法规",
)
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两\d]+条")
_LAW_NAME = re.compile(r"《[^》]+》")
_PUNCT = re.compile(r"[\s，。、；：:;,.!！?？“”\"'‘’（）()《》〔〕【】\[\]—\-…·]")
# Words that carry no reason of their own.
_FILLER = (
    "经审查",
    "经研究",
    "您申请获取的",
    "您申请公开的",
    "您所申请的",
    "申请的",
    "该政府信息",
    "该信息",
    "上述信息",
    "政府信息",
    "信息",
    "本机关",
    "决定",
    "依据",
    "根据",
    "依照",
    "按照",
    "的规定",
    "规定",
    "予以",
    "不予公开",
    "不公开",
    "不予提供",
    "不予处理",
    "因此",
    "所以",
    "故",
    "属于",
    "涉及",
    "情形",
    "范围",
    "的",
    "为",
    "是",
    "和",
    "及",
    "等",
)
# The category's own nouns: a reason made only of these says nothing of this information.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    Outcome.WITHHELD_STATE_SECRET: ("国家秘密", "秘密", "涉密"),
    Outcome.WITHHELD_PROHIBITED_BY_LAW: ("法律行政法规禁止公开", "禁止公开", "行政法规", "法律"),
    Outcome.WITHHELD_THREE_SAFETIES: (
        "三安全一稳定",
        "国家安全",
        "公共安全",
        "经济安全",
        "社会稳定",
        "危及",
    ),
    Outcome.WITHHELD_THIRD_PARTY: ("第三方合法权益", "第三方", "合法权益", "商业秘密", "个人隐私"),
    Outcome.WITHHELD_INTERNAL: (
        "三类内部事务信息",
        "内部事务",
        "人事管理",
        "后勤管理",
        "内部工作流程",
    ),
    Outcome.WITHHELD_PROCESS: (
        "四类过程性信息",
        "过程性",
        "讨论记录",
        "过程稿",
        "磋商信函",
        "请示报告",
    ),
    Outcome.WITHHELD_ENFORCEMENT: ("行政执法案卷", "执法案卷", "案卷"),
    Outcome.NOT_HELD: ("本机关不掌握相关政府信息", "不掌握", "不负责公开", "负责公开"),
    Outcome.EXCESSIVE: ("无正当理由大量反复申请", "大量反复申请", "无正当理由", "明显超过合理范围"),
    Outcome.CONFIRM_OR_REISSUE: (
        "要求行政机关确认或重新出具已获取信息",
        "确认",
        "重新出具",
        "已获取",
    ),
    Outcome.OTHER: ("其他处理", "其他"),
}
MIN_OWN_WORDS = 6  # characters of a reason left after removing the category's own words


def _norm(text: str) -> str:
    return _PUNCT.sub("", text or "")


def is_hint(value: str, field: variants.DetailField | None = None) -> bool:
    """A template's hint left in place of content."""
    text = value.strip()
    if any(marker in text for marker in HINT_MARKERS):
        return True
    if any(_norm(h) and _norm(h) in _norm(text) for h in LEGACY_HINTS):
        return True
    hints = [f.hint for f in variants.FIELDS.values() if f.hint]
    if field is not None and field.hint:
        hints.insert(0, field.hint)
    return any(_norm(text) and _norm(text) == _norm(h) for h in hints)


def _category_phrases(outcome: str) -> list[str]:
    """The words that only name the outcome's category: labels, table row, standard sentence."""
    phrases: list[str] = []
    keys = {outcome}
    if outcome == Outcome.PARTIALLY_DISCLOSED:
        keys |= set(variants.GROUNDS)
    for key in keys:
        label = Outcome(key).label
        phrases += [label, label.split("：", 1)[-1]]
        phrases += [row for k, row in TABLE3_OUTCOME_ROWS_2021 if k == key]
        phrases.append(legal.LEGAL_BASES[key].decision)
        if key in variants.GROUNDS:
            phrases.append(variants.GROUNDS[key][1])
        phrases += CATEGORY_WORDS.get(key, ())
    phrases += [legal.REG, "中华人民共和国政府信息公开条例", "条例"]
    return [p for p in phrases if p]


def restates_category(value: str, outcome: str) -> bool:
    """The text only repeats the outcome's category (label, row, standard sentence, articles)."""
    text = _norm(value)
    if not text:
        return False
    phrases = sorted({_norm(p) for p in _category_phrases(outcome)}, key=len, reverse=True)
    if any(text in p for p in phrases if len(p) > 4):
        return True
    for phrase in phrases:
        text = text.replace(phrase, "")
    text = _ARTICLE.sub("", text)
    text = re.sub(r"第[一二三四五六七八九十\d]+[款项]", "", text)
    for word in sorted(_FILLER, key=len, reverse=True):
        text = text.replace(word, "")
    return len(text) < MIN_OWN_WORDS


def _generic_basis(value: str) -> bool:
    text = _norm(value)
    for generic in GENERIC_BASES:
        text = text.replace(generic, "")
    for word in ("条例", "中华人民共和国政府信息公开条例", "依据", "根据", "的规定", "规定"):
        text = text.replace(word, "")
    return not _ARTICLE.search(value) and len(text) < 4


def detail_check(field: variants.DetailField, value: str, outcome: str) -> None:
    """One required detail: present, not a hint, not a mere category label, a specific basis."""
    label = field.label
    if not value:
        raise RuleViolation(MSG_DETAIL_REQUIRED.format(label=label), field.name)
    if field.kind == "choice":
        if value not in dict(field.choices):
            raise RuleViolation(MSG_CHOICE.format(label=label), field.name)
        return
    if field.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise RuleViolation(MSG_DATE_FORMAT.format(label=label), field.name) from exc
        return
    if is_hint(value, field):
        raise RuleViolation(MSG_DETAIL_HINT.format(label=label), field.name)
    if field.basis:
        if _generic_basis(value):
            raise RuleViolation(MSG_BASIS_GENERIC.format(label=label), field.name)
        if field.law and not (_LAW_NAME.search(value) and _ARTICLE.search(value)):
            raise RuleViolation(MSG_BASIS_ARTICLE.format(label=label), field.name)
    if field.reason and outcome and restates_category(value, outcome):
        raise RuleViolation(MSG_DETAIL_LABEL_ONLY.format(label=label), field.name)


def letter_ready_check(letter: Letter, *, on: dt.date | None = None) -> None:
    """The issuing gate: raise RuleViolation naming the field, or return when the letter may be
    approved (on=None) or issued on `on`."""
    case = letter.case
    details = {k: str(v or "").strip() for k, v in (letter.details or {}).items()}
    for field in variants.required_fields(letter.kind, letter.outcome, details):
        detail_check(field, details.get(field.name, ""), letter.outcome)
    body = [line.strip() for line in (letter.body or "").splitlines() if line.strip()]
    composed = (LetterKind.REPLY, LetterKind.CONSULTATION_LETTER)  # text built from the details
    if letter.kind not in composed and not body:
        raise RuleViolation(MSG_BODY_REQUIRED, "body")
    if any(is_hint(line) for line in body):
        raise RuleViolation(MSG_BODY_HINT, "body")
    if letter.kind == LetterKind.REPLY:
        _reply_check(letter, case, details, body)
    elif letter.kind == LetterKind.SUPPLEMENT_NOTICE:
        _supplement_check(case, details)
    elif letter.kind == LetterKind.EXTENSION_NOTICE and on is not None:
        art35 = details.get("extension_basis") == variants.EXTENSION_ART35
        _extension_check(case, on, transition="defer_reply" if art35 else "approve_extension")
    elif letter.kind == LetterKind.FEE_NOTICE:
        fee_check(letter, details)


def _reply_check(letter: Letter, case, details: dict, body: list[str]) -> None:
    expected = case.outcome if case.is_finished else case.proposed_outcome
    if expected and letter.outcome != expected:
        raise RuleViolation(
            MSG_REPLY_OUTCOME.format(
                letter=Outcome(letter.outcome).label, case=Outcome(expected).label
            ),
            "outcome",
        )
    outcome = letter.outcome
    if outcome == Outcome.NOT_HELD and details.get("not_held_basis") == variants.NOT_HELD_ELSEWHERE:
        said = [details.get("not_ours_reason", ""), *body]
        if any("不存在" in text for text in said):
            raise RuleViolation(MSG_NOT_HELD_SAYS_ABSENT, "not_ours_reason")
    if outcome == Outcome.OTHER and details.get("other_kind") == variants.OTHER_WITHDRAWAL:
        if not case.events.filter(transition="withdraw").exists():
            raise RuleViolation(MSG_NOT_WITHDRAWN, "other_kind")
    ground = variants.ground_of(outcome, details)
    result = details.get("consultation_result", "")
    if ground == Outcome.WITHHELD_THIRD_PARTY and result in (
        variants.CONSULT_DISAGREED,
        variants.CONSULT_SILENT,
    ):
        consulted = (
            case.clock_events.filter(kind=ClockKind.PAUSE, note__startswith="征求").exists()
            or case.events.filter(
                kind=EventKind.TRANSITION, transition="start_consultation"
            ).exists()
        )
        if not consulted:
            choice = dict(variants.CONSULTATION_RESULTS)[result]
            raise RuleViolation(MSG_NO_CONSULTATION.format(choice=choice), "consultation_result")
    for name, text in details.items():
        field = variants.FIELDS.get(name)
        if field and field.kind in ("text", "textarea") and text and is_hint(text, field):
            if name in variants.field_names(letter.kind, outcome):
                raise RuleViolation(MSG_DETAIL_HINT.format(label=field.label), name)


def _supplement_check(case, details: dict) -> None:
    due = dt.date.fromisoformat(details["supplement_due"])
    start = case.supplement_requested_on or case.received_on
    days = (due - start).days
    minimum = case.agency.supplement_min_days
    if days < minimum:
        field = variants.FIELDS["short_period_reason"]
        value = details.get("short_period_reason", "")
        if not value:
            raise RuleViolation(
                MSG_SUPPLEMENT_SHORT.format(days=days, minimum=minimum), "short_period_reason"
            )
        detail_check(field, value, "")


def original_due(case, transition: str = "approve_extension") -> dt.date | None:
    """The reply deadline before the extension was approved (from the approval's history), or,
    with transition="defer_reply", before the Art. 35 deferral was decided."""
    event = (
        case.events.filter(kind=EventKind.TRANSITION, transition=transition).order_by("-at").first()
    )
    if event is None:
        return case.reply_due
    change = (event.changes or {}).get("reply_due")
    if isinstance(change, list) and change and change[0]:
        return dt.date.fromisoformat(change[0])
    return case.reply_due


def _extension_check(case, on: dt.date, transition: str = "approve_extension") -> None:
    due = original_due(case, transition)
    if due and on > due:
        raise RuleViolation(MSG_EXTENSION_LATE.format(due=due.isoformat()), "on")


def fee_check(letter: Letter, details: dict | None = None) -> None:
    """收费通知: the amount is computed from the standard and quantity by the 109号 tiers; a typed
    amount must match it, and so must the amount recorded on the case."""
    details = details if details is not None else letter.details
    quantity = str(details.get("fee_quantity", "")).strip()
    if not quantity.isdigit():
        raise RuleViolation(
            MSG_DETAIL_REQUIRED.format(label=variants.FIELDS["fee_quantity"].label), "fee_quantity"
        )
    fee = fees.fee_compute(details["fee_standard"], int(quantity))
    if fee.amount <= 0:
        raise RuleViolation(MSG_FEE_ZERO, "fee_quantity")
    typed = str(details.get("fee_amount", "")).strip()
    if typed:
        try:
            amount = Decimal(typed)
        except InvalidOperation as exc:
            raise RuleViolation(MSG_FEE_AMOUNT, "fee_amount") from exc
        if amount != fee.amount:
            raise RuleViolation(
                MSG_FEE_MISMATCH.format(typed=typed, computed=fee.amount), "fee_amount"
            )
    recorded = letter.case.fee_amount
    if recorded is not None and fee.amount != recorded:
        raise RuleViolation(MSG_FEE_CASE.format(letter=fee.amount, case=recorded), "fee_amount")
