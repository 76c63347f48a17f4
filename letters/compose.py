"""What a letter says: the default fields and paragraphs of a new draft, and the full render
context of a letter (reads the case and the agency; the rendering itself is pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from documents.public import release_page_count, reply_release_lines
from requests_app.models import Case, ClockKind, EventKind
from requests_app.outcomes import Outcome
from requests_app.selectors import case_current_receipt_date
from workcalendar.selectors import calendar_get

from . import fees, legal, variants
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


def detail_fields(kind: str, outcome: str = "") -> list[variants.DetailField]:
    """The editable fields of a letter of this kind and outcome (hints beside, not inside)."""
    return variants.fields_for(kind, outcome)


def chinese_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # typed by hand: printed as written (issue refuses a bad date)
    return f"{value.year}年{value.month}月{value.day}日"


def _party_from_case(case: Case) -> str:
    event = (
        case.clock_events.filter(kind=ClockKind.PAUSE, note__startswith="征求")
        .order_by("-on")
        .first()
    )
    if event and event.note.endswith("意见"):
        return event.note.removeprefix("征求").removesuffix("意见")
    return ""


def deferral_details(case: Case) -> dict[str, str] | None:
    """An extension notice's details under Art. 35 from the case's latest deferral (None when
    the case records none): the date fixed, the reasons, and the working days it adds to the
    reply deadline it replaced (from the deferral's history row)."""
    fact = case.clock_events.filter(kind=ClockKind.DEFERRAL).order_by("-on", "-id").first()
    if fact is None or fact.until is None:
        return None
    event = (
        case.events.filter(kind=EventKind.TRANSITION, transition="defer_reply")
        .order_by("-at", "-id")
        .first()
    )
    days = ""
    change = (event.changes or {}).get("reply_due") if event else None
    if isinstance(change, list) and change and change[0]:
        before = dt.date.fromisoformat(change[0])
        days = str(calendar_get(covering=fact.until).working_days_between(before, fact.until))
    return {
        "extension_basis": variants.EXTENSION_ART35,
        "extension_days": days,
        "new_due": fact.until.isoformat(),
        "extension_reason": (event.reason if event else "") or fact.note,
    }


def default_details(case: Case, kind: str, outcome: str = "") -> dict[str, str]:
    """The structured fields of a new draft, taken from what the case records. Reasons, bases
    and choices the handler must make start EMPTY (their hints sit beside the fields)."""
    details = {name: "" for name in variants.field_names(kind, outcome)}
    if kind == "supplement_notice":
        details.update(
            missing=case.supplement_missing,
            supplement_due=case.supplement_due.isoformat() if case.supplement_due else "",
        )
    elif kind == "extension_notice":
        details.update(
            extension_days=str(case.extension_days or ""),
            new_due=case.reply_due.isoformat() if case.reply_due else "",
            extension_reason=case.extension_reason,
        )
        if case.extension_state != "approved" and (art35 := deferral_details(case)):
            details.update(art35)  # no Art. 33 extension: the notice tells the Art. 35 date
    elif kind == "consultation_letter":
        details.update(third_party=_party_from_case(case))
    elif kind == "fee_notice":
        details.update(
            fee_amount=str(case.fee_amount) if case.fee_amount is not None else "",
            payment_method=DEFAULT_PAYMENT,
        )
        if pages := release_page_count(case):  # 按量计收 counts the pages to provide (109号)
            details.update(fee_standard=fees.PER_VOLUME, fee_quantity=str(pages))
    elif kind == "reply" and outcome == Outcome.OTHER and _withdrawal(case) is not None:
        details["other_kind"] = variants.OTHER_WITHDRAWAL  # a recorded fact, not a hint
    return details


def _withdrawal(case: Case):
    return case.events.filter(transition="withdraw").order_by("-at").first()


def reply_text(case: Case, outcome: str, details: dict) -> variants.ReplyText:
    withdrawn_on = ""
    if outcome == Outcome.OTHER and _withdrawal(case) is not None:
        withdrawn_on = chinese_date(case.closed_on)
    return variants.reply_text(outcome, details, withdrawn_on=withdrawn_on)


def default_body(case: Case, kind: str, outcome: str, details: dict) -> list[str]:
    """The paragraphs of a new draft (the handler may edit them before issue). A reply's
    decision, reasons and basis (and a consultation letter's request for an opinion, which
    depends on whom it consults) are composed from the details when it is rendered, so its body
    holds only the handler's own further paragraphs and starts empty."""
    if kind == "receipt":
        return [legal.RECEIPT_BASIS]
    if kind == "supplement_notice":
        return [legal.SUPPLEMENT_CONSEQUENCE]
    if kind == "extension_notice":
        if details.get("extension_basis") == variants.EXTENSION_ART35:
            return [legal.DEFERRAL_BASIS]
        return [legal.EXTENSION_BASIS + "本机关决定延长答复期限，现将有关情况告知如下。"]
    if kind == "fee_notice":
        return [legal.FEE_CONSEQUENCE]
    return []


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
        agency_consulted = details.get("consultee_kind") == variants.CONSULTEE_AGENCY
        context["body"] = [
            legal.CONSULTATION_AGENCY_TEXT
            if agency_consulted
            else legal.CONSULTATION_THIRD_PARTY_TEXT,
            *context["body"],
        ]
        context["answer_period"] = (
            legal.CONSULTATION_AGENCY_BASIS if agency_consulted else legal.CONSULTATION_BASIS
        )
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
            payment_due=chinese_date(case.fee_payment_due),
        )
    elif kind == "reply":
        text = reply_text(case, outcome, details)
        documents = (
            reply_release_lines(case)
            if outcome in (Outcome.DISCLOSED, Outcome.PARTIALLY_DISCLOSED)
            else []
        )
        context.update(
            body=[*text.decision, *documents, *context["body"]],
            legal_basis=text.citation,
            remedy=legal.remedy_notice(outcome, review_body=agency.review_body, court=agency.court),
        )
        if "withhold_reason" in context:
            context["withhold_reason"] = text.withhold_reason
        if "access" in context:
            context["access"] = text.access
        if "responsible_agency" in context:
            context.update(
                responsible_agency=text.responsible_agency,
                responsible_contact=text.responsible_contact,
            )
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
