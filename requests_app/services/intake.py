"""Validation of a request as registered (web form, API, import): one place for the rules of
SPEC §2 (receipt date per channel) and of the applicant's identity."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from common import limits

from .. import rules
from ..models import Case, Channel, DeliveryMethod, InformationForm
from ..outcomes import APPLICANT_TYPES, ApplicantType

# Which date fixes the receipt date, per channel (Art. 31), and the label asked for.
RECEIPT_DATE_FIELD = {
    Channel.IN_PERSON: ("submitted_on", "提交日期"),
    Channel.MAIL_SIGNED: ("signed_on", "签收日期"),
    Channel.MAIL_ORDINARY: ("confirmed_on", "与申请人确认收到的日期"),
    Channel.ONLINE: ("confirmed_on", "双方确认收到的日期"),
    Channel.EMAIL: ("confirmed_on", "双方确认收到的日期"),
    Channel.FAX: ("confirmed_on", "双方确认收到的日期"),
}


def receipt_date(channel: str, dates: dict[str, dt.date | None]) -> dt.date | None:
    """The statutory receipt date (收到申请之日) for the channel (Art. 31)."""
    field, _ = RECEIPT_DATE_FIELD[Channel(channel)]
    return dates.get(field)


class IntakeInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


TEXT_FIELDS = [
    "applicant_name",
    "applicant_id_number",
    "applicant_credit_code",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_postcode",
    "content",
    "mail_tracking_number",
]
DATE_FIELDS = ["submitted_on", "signed_on", "confirmed_on"]


def intake_clean(
    data: dict[str, Any], *, today: dt.date, strict_identity: bool = True
) -> dict[str, Any]:
    """Check a registration and return the cleaned values, or raise IntakeInvalid with every
    problem keyed by field. `strict_identity=False` (imports of past cases) skips the
    identity-number requirement, not its checksum."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        cleaned[name] = str(data.get(name) or "").strip()
        if message := limits.text_error(Case, name, cleaned[name]):
            errors[name] = message
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = "日期格式应为 YYYY-MM-DD"
                value = None
        cleaned[name] = value or None
        if not isinstance(cleaned[name], dt.date | None):
            errors[name] = "日期格式应为 YYYY-MM-DD"
            cleaned[name] = None
        elif message := limits.event_date_error(cleaned[name], today):
            errors[name] = message

    channel = data.get("channel") or ""
    if channel not in Channel.values:
        errors["channel"] = rules.MSG_REQUIRED if not channel else f"未知的申请渠道“{channel}”"
    else:
        cleaned["channel"] = channel
        field, label = RECEIPT_DATE_FIELD[Channel(channel)]
        if not cleaned.get(field) and field not in errors:
            errors[field] = rules.MSG_CHANNEL_DATE.format(
                channel=Channel(channel).label, field=label
            )
        if (
            channel == Channel.MAIL_SIGNED
            and not cleaned["mail_tracking_number"]
            and strict_identity
        ):
            errors["mail_tracking_number"] = rules.MSG_CHANNEL_DATE.format(
                channel=Channel(channel).label, field="邮件单号"
            )
        for other in ("submitted_on",):
            if (
                field != other
                and cleaned.get(other)
                and cleaned.get(field)
                and cleaned[other] > cleaned[field]
            ):
                errors[field] = rules.MSG_DATE_BEFORE.format(what="到达日期", date=cleaned[other])

    applicant_type = data.get("applicant_type") or ""
    if applicant_type not in APPLICANT_TYPES:
        errors["applicant_type"] = (
            rules.MSG_REQUIRED if not applicant_type else f"未知的申请人类型“{applicant_type}”"
        )
    cleaned["applicant_type"] = applicant_type
    if not cleaned["applicant_name"]:
        errors["applicant_name"] = rules.MSG_REQUIRED
    if not cleaned["content"]:
        errors["content"] = rules.MSG_REQUIRED

    id_number = cleaned["applicant_id_number"].upper()
    cleaned["applicant_id_number"] = id_number
    if id_number and not rules.id_number_is_valid(id_number):
        errors["applicant_id_number"] = rules.MSG_ID_NUMBER
    elif applicant_type == ApplicantType.NATURAL_PERSON and not id_number and strict_identity:
        errors["applicant_id_number"] = rules.MSG_ID_REQUIRED_PERSON
    credit = cleaned["applicant_credit_code"].upper()
    cleaned["applicant_credit_code"] = credit
    if credit and not rules.credit_code_is_valid(credit):
        errors["applicant_credit_code"] = rules.MSG_CREDIT_CODE
    elif applicant_type in rules_org_types() and not credit and strict_identity:
        errors["applicant_credit_code"] = "法人或其他组织申请须填写统一社会信用代码"
    if cleaned["applicant_phone"] and not re.fullmatch(
        r"[\d\-+() ]{5,20}", cleaned["applicant_phone"]
    ):
        errors["applicant_phone"] = rules.MSG_PHONE
    if cleaned["applicant_postcode"] and not re.fullmatch(r"\d{6}", cleaned["applicant_postcode"]):
        errors["applicant_postcode"] = rules.MSG_POSTCODE

    delivery = data.get("delivery_method") or DeliveryMethod.POST
    if delivery not in DeliveryMethod.values:
        errors["delivery_method"] = f"未知的送达方式“{delivery}”"
    cleaned["delivery_method"] = delivery
    if strict_identity and delivery == DeliveryMethod.POST and not cleaned["applicant_address"]:
        errors["applicant_address"] = rules.MSG_ADDRESS_FOR_POST
    if strict_identity and delivery == DeliveryMethod.EMAIL and not cleaned["applicant_email"]:
        errors["applicant_email"] = rules.MSG_EMAIL_FOR_EMAIL
    form = data.get("information_form") or InformationForm.ANY
    if form not in InformationForm.values:
        errors["information_form"] = f"未知的信息形式“{form}”"
    cleaned["information_form"] = form

    if errors:
        raise IntakeInvalid(errors)
    cleaned["received_on"] = receipt_date(channel, cleaned)
    return cleaned


def rules_org_types() -> set[str]:
    return {t for t in APPLICANT_TYPES if t != ApplicantType.NATURAL_PERSON}
