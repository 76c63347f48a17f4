"""What a letter says: the default fields and paragraphs of a new draft, and the full render
context of a letter (reads the case and the agency; the rendering itself is pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from requests_app.models import Case, ClockKind
from requests_app.outcomes import Outcome, outcome_group
from requests_app.selectors import case_current_receipt_date

from . import fees, legal
from .placeholders import COMMON, EXTRA, template_key_for

TITLES = {
    "receipt": "政府信息公开申请登记回执",
    "supplement_notice": "政府信息公开申请补正告知书",
    "extension_notice": "政府信息公开申请延期答复告知书",
    "consultation_letter": "政府信息公开征求意见函",
    "fee_notice": "政府信息公开信息处理费收费通知书",
    "reply": "政府信息公开申请答复书",
}
DRAFT_NUMBER = "（草稿，未编号）"
SEAL = "（印章）"
DEFAULT_PAYMENT = "请持本通知到本机关办理缴费手续，缴费后凭财政票据办理后续事项。"

# Fields of the letter (details) the handler can edit, per template key, with their labels.
DETAIL_FIELDS: dict[str, list[tuple[str, str]]] = {
    "receipt": [],
    "supplement_notice": [("missing", "需要补正的事项"), ("supplement_due", "补正期限")],
    "extension_notice": [
        ("extension_days", "延长工作日数"),
        ("new_due", "延期后的答复期限"),
        ("extension_reason", "延期理由"),
    ],
    "consultation_letter": [
        ("third_party", "征求意见对象"),
        ("third_party_address", "对象地址"),
        ("third_party_postcode", "对象邮政编码"),
    ],
    "fee_notice": [
        ("fee_standard", "收费标准（per_request 按件 / per_volume 按量）"),
        ("fee_quantity", "本月第几件 / 页数"),
        ("fee_amount", "金额（元）"),
        ("payment_method", "缴费方式"),
    ],
    "reply_disclosed": [("already_public", "已主动公开（填“是”）"), ("access", "获取方式、途径")],
    "reply_partially_disclosed": [
        ("access", "获取方式、途径"),
        ("withhold_reason", "不予公开部分的理由"),
    ],
    "reply_withheld": [("withhold_reason", "不予公开的理由")],
    "reply_unavailable": [
        ("responsible_agency", "负责公开的机关"),
        ("responsible_contact", "该机关联系方式"),
    ],
    "reply_not_processed": [],
    "reply_other": [],
}


def chinese_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # typed by hand: printed as written (issue refuses a bad date)
    return f"{value.year}年{value.month}月{value.day}日"


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on", "是", "y"}


def _party_from_case(case: Case) -> str:
    event = (
        case.clock_events.filter(kind=ClockKind.PAUSE, note__startswith="征求")
        .order_by("-on")
        .first()
    )
    if event and event.note.endswith("意见"):
        return event.note.removeprefix("征求").removesuffix("意见")
    return ""


def default_withhold_reason(outcome: str) -> str:
    if outcome == Outcome.PARTIALLY_DISCLOSED:
        return "不予公开部分涉及第三方合法权益（请写明具体理由及依据条款）。"
    label = Outcome(outcome).label.split("：", 1)[-1]
    basis = legal.LEGAL_BASES[outcome]
    return f"该信息{label}，依据{basis.source}{basis.articles.split('、')[-1]}不予公开。"


def default_details(case: Case, kind: str, outcome: str = "") -> dict[str, str]:
    """The structured fields of a new draft, taken from the case as it stands."""
    key = template_key_for(kind, outcome)
    details: dict[str, str] = {}
    if key == "supplement_notice":
        details = {
            "missing": case.supplement_missing,
            "supplement_due": case.supplement_due.isoformat() if case.supplement_due else "",
        }
    elif key == "extension_notice":
        details = {
            "extension_days": str(case.extension_days or ""),
            "new_due": case.reply_due.isoformat() if case.reply_due else "",
            "extension_reason": case.extension_reason,
        }
    elif key == "consultation_letter":
        details = {
            "third_party": _party_from_case(case),
            "third_party_address": "",
            "third_party_postcode": "",
        }
    elif key == "fee_notice":
        details = {
            "fee_standard": fees.PER_VOLUME,
            "fee_quantity": "",
            "fee_amount": str(case.fee_amount) if case.fee_amount is not None else "",
            "payment_method": DEFAULT_PAYMENT,
        }
    elif key == "reply_disclosed":
        details = {"already_public": "", "access": "随本答复书附送所申请信息的复制件。"}
    elif key == "reply_partially_disclosed":
        details = {
            "access": "随本答复书附送可以公开部分的复制件。",
            "withhold_reason": default_withhold_reason(outcome),
        }
    elif key == "reply_withheld":
        details = {"withhold_reason": default_withhold_reason(outcome)}
    elif key == "reply_unavailable":
        details = {"responsible_agency": "", "responsible_contact": ""}
    return details


def reply_basis(outcome: str, details: dict) -> legal.LegalBasis:
    return legal.legal_basis(
        outcome,
        already_public=_truthy(details.get("already_public", "")),
        other_agency=bool(str(details.get("responsible_agency", "")).strip()),
    )


def default_body(case: Case, kind: str, outcome: str, details: dict) -> list[str]:
    """The paragraphs of a new draft (the handler may edit them before issue)."""
    if kind == "receipt":
        return [legal.RECEIPT_BASIS]
    if kind == "supplement_notice":
        return [legal.SUPPLEMENT_CONSEQUENCE]
    if kind == "extension_notice":
        return [legal.EXTENSION_BASIS + "本机关决定延长答复期限，现将有关情况告知如下。"]
    if kind == "consultation_letter":
        return [
            "经审查，该申请所涉信息可能涉及贵方的商业秘密、个人隐私等合法权益，公开可能对贵方合法权益造成损害。"
            "为依法作出答复，现书面征求贵方意见：贵方是否同意公开上述信息；如不同意，请说明理由。"
        ]
    if kind == "fee_notice":
        return [legal.FEE_CONSEQUENCE]
    basis = reply_basis(outcome, details)
    body = [basis.decision]
    if outcome == Outcome.OTHER:
        withdrawal = case.events.filter(transition="withdraw").order_by("-at").first()
        if withdrawal:
            body.append(
                f"您已于{chinese_date(case.closed_on)}撤回申请（{withdrawal.reason}），本机关终止办理。"
            )
        else:
            body.append("（请写明处理情况及所依据的法律、行政法规条款。）")
    return body


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value or "0").strip() or "0")
    except InvalidOperation:
        return Decimal(0)


def fee_of(details: dict) -> fees.Fee | None:
    standard = details.get("fee_standard") or ""
    quantity = str(details.get("fee_quantity") or "").strip()
    if standard in fees.STANDARD_LABELS and quantity.isdigit():
        return fees.fee_compute(standard, int(quantity))
    return None


def letter_context(
    case: Case,
    *,
    kind: str,
    outcome: str,
    details: dict,
    body: list[str],
    number: str,
    issue_date: dt.date | None,
    draft: bool,
    replaces_number: str = "",
) -> dict:
    """The complete render context: every placeholder the letter's template key may use."""
    agency = case.agency
    key = template_key_for(kind, outcome)
    context: dict = dict.fromkeys(COMMON | EXTRA[key], "")
    recipient = (case.applicant_name, case.applicant_address, case.applicant_postcode)
    if kind == "consultation_letter":
        recipient = (
            details.get("third_party", ""),
            details.get("third_party_address", ""),
            details.get("third_party_postcode", ""),
        )
    title = TITLES[kind] + ("（更正）" if replaces_number else "")
    context.update(
        draft=draft,
        title=title,
        letter_number=number or DRAFT_NUMBER,
        replaces_number=replaces_number,
        recipient_name=recipient[0],
        recipient_address=recipient[1],
        recipient_postcode=recipient[2],
        applicant_name=case.applicant_name,
        case_no=case.case_no,
        received_on=_receipt_phrase(case),
        request_content=case.content.strip().rstrip("。．.；;"),
        body=[p for p in body if p.strip()],
        agency_name=agency.name,
        agency_address=agency.address,
        agency_postcode=agency.postcode,
        agency_phone=agency.phone,
        issue_date=chinese_date(issue_date),
        seal=SEAL,
    )
    for name in EXTRA[key]:
        if name in details:
            context[name] = str(details[name])
    if key == "receipt":
        context.update(reply_due=chinese_date(case.reply_due), tracking_code=case.tracking_code)
    elif key == "supplement_notice":
        context["supplement_due"] = chinese_date(details.get("supplement_due"))
    elif key == "extension_notice":
        context.update(
            reply_due=chinese_date(case.reply_due), new_due=chinese_date(details.get("new_due"))
        )
    elif key == "consultation_letter":
        context["answer_period"] = legal.CONSULTATION_BASIS
    elif key == "fee_notice":
        fee = fee_of(details)
        amount = fee.amount if fee else _decimal(details.get("fee_amount"))
        context.update(
            fee_basis=legal.FEE_BASIS,
            fee_standard=fee.standard_label
            if fee
            else "按《政府信息公开信息处理费管理办法》规定的标准",
            fee_lines=fee.lines if fee else [],
            fee_amount=f"{amount:.2f}",
        )
    elif kind == "reply":
        basis = reply_basis(outcome, details)
        context.update(
            legal_basis=basis.citation,
            remedy=legal.remedy_notice(outcome, review_body=agency.review_body, court=agency.court),
        )
        if outcome_group(outcome) != "withheld" and outcome != Outcome.PARTIALLY_DISCLOSED:
            context["withhold_reason"] = ""
    return context


def envelope_context(context: dict) -> dict:
    """The mailing slip of a letter, from the letter's own context."""
    keys = COMMON | EXTRA["envelope"]
    return {k: context.get(k, "") for k in keys}


def _receipt_phrase(case: Case) -> str:
    """The receipt date as letters state it: after a supplement, both the first receipt and the
    day the supplemented request arrived, from which the reply period runs (Art. 30)."""
    current = case_current_receipt_date(case)
    if current == case.received_on:
        return chinese_date(case.received_on)
    return f"{chinese_date(case.received_on)}（补正后的申请于{chinese_date(current)}收到）"
