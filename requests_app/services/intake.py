"""Validation of a request as registered (web form, API, import): one place for the rules of
SPEC §2 (receipt date per channel) and of the applicant's identity."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from common import limits
from common.errors import FieldErrors

from .. import rules
from ..models import Case, Channel, DeliveryMethod, InformationForm
from ..outcomes import APPLICANT_TYPES, ApplicantType
from ..receipt import receipt_field

# The delivery a request of the channel expects unless the applicant asks otherwise: a request
# made online is answered online, one sent by e-mail by e-mail, one handed in in person in person.
DEFAULT_DELIVERY = {
    Channel.ONLINE: DeliveryMethod.PORTAL,
    Channel.EMAIL: DeliveryMethod.EMAIL,
    Channel.IN_PERSON: DeliveryMethod.IN_PERSON,
}


def default_delivery(channel: str) -> str:
    return DEFAULT_DELIVERY.get(channel, DeliveryMethod.POST)


def receipt_date(channel: str, dates: dict[str, dt.date | None]) -> dt.date | None:
    """The statutory receipt date (收到申请之日) for the channel (Art. 31)."""
    field, _ = receipt_field(channel)
    return dates.get(field)


class IntakeInvalid(FieldErrors):
    """The registration's fields at fault, each with its message (nothing saved)."""


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
RECEIPT_RECENT_DAYS = 30  # a receipt date further back (or in another year) is confirmed
MSG_RECEIPT_DATE_CHECK = (
    "收到申请之日为{date}，{why}。请核对；确认无误请勾选“我已核对收到日期”后再提交"
)
WHY_OTHER_YEAR = "不在今年"
WHY_LONG_AGO = "已是{days}天前"
MSG_CONFIRMATION_LATE = (
    "与申请人确认的日期（{confirmed}）晚于信件到达之日（{arrived}），须写明未能当日确认的原因"
    "（条例第三十一条第二项）"
)
# The reason is kept in the receipt's clock note (300 characters with the dates around it).
CONFIRMATION_REASON_MAX_LENGTH = 200
MSG_CONFIRMATION_REASON_LONG = "原因请控制在{limit}字以内"
RECEIPT_NOTE_LATE = "平信于{arrived}到达，{confirmed}才与申请人确认收到，原因：{reason}"


def flag_true(value) -> bool:
    """A checkbox or API flag: true, "true", "on", "1", "yes"."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "on", "1", "yes")


def receipt_date_unusual(received: dt.date, today: dt.date) -> str | None:
    """Why a receipt date needs the clerk's explicit confirmation, or None: another year than
    today's, or more than 30 days back (a typo such as 2019 for 2026 would otherwise create a
    case years overdue and change a published table)."""
    if received.year != today.year:
        return WHY_OTHER_YEAR
    if (today - received).days > RECEIPT_RECENT_DAYS:
        return WHY_LONG_AGO.format(days=(today - received).days)
    return None


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
    if channel == Channel.MAIL_ORDINARY and cleaned["submitted_on"] and not cleaned["confirmed_on"]:
        # Art. 31(2): the office confirms with the applicant on the day the letter arrives.
        if "submitted_on" not in errors:
            cleaned["confirmed_on"] = cleaned["submitted_on"]
    if channel not in Channel.values:
        errors["channel"] = rules.MSG_REQUIRED if not channel else f"未知的申请渠道“{channel}”"
    else:
        cleaned["channel"] = channel
        field, label = receipt_field(channel)
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
        cleaned["receipt_note"] = ""
        arrived, confirmed = cleaned.get("submitted_on"), cleaned.get("confirmed_on")
        if channel == Channel.MAIL_ORDINARY and arrived and confirmed and confirmed > arrived:
            reason = str(data.get("confirmation_delay_reason") or "").strip()
            if len(reason) > CONFIRMATION_REASON_MAX_LENGTH:
                errors["confirmation_delay_reason"] = MSG_CONFIRMATION_REASON_LONG.format(
                    limit=CONFIRMATION_REASON_MAX_LENGTH
                )
            elif reason:
                cleaned["receipt_note"] = RECEIPT_NOTE_LATE.format(
                    arrived=arrived.isoformat(), confirmed=confirmed.isoformat(), reason=reason
                )[:300]
            elif strict_identity:
                errors["confirmation_delay_reason"] = MSG_CONFIRMATION_LATE.format(
                    arrived=arrived.isoformat(), confirmed=confirmed.isoformat()
                )
        received = cleaned.get(field)
        why = receipt_date_unusual(received, today) if received and field not in errors else None
        if why and strict_identity and not flag_true(data.get("receipt_date_confirmed")):
            errors["receipt_date_confirmed"] = MSG_RECEIPT_DATE_CHECK.format(
                date=received.isoformat(), why=why
            )

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
    id_problem = rules.id_number_problem(id_number, today) if id_number else None
    if id_problem:
        errors["applicant_id_number"] = id_problem
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

    delivery = data.get("delivery_method") or default_delivery(channel)
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
