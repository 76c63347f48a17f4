"""The receipt date per channel (收到申请之日, Art. 31), in one table (issue 12).

For each channel: the date that IS the receipt date, what the registration page asks for (in
order, with label and help), and what it marks required. The intake service's check
(`services/intake.py`), the registration and correction forms (`forms.py`) and the import's
receipt-date column all read this table.

- in person: the day it is handed in;
- mail that must be signed for: the day the agency signs for it;
- ordinary mail: the day the agency confirms receipt with the applicant (on arrival, unless a
  reason is given for a later confirmation);
- online portal, e-mail, fax: the day both sides confirm receipt."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Channel


@dataclass(frozen=True)
class ChannelReceipt:
    receipt_field: str  # the date that is the receipt date
    asked: tuple[tuple[str, str, str], ...]  # (field, label, help) the registration asks for
    required: frozenset[str]  # marked required (*) on the registration page

    @property
    def receipt_label(self) -> str:
        return str(next(label for name, label, _ in self.asked if name == self.receipt_field))


_CONFIRMED = ("confirmed_on", _("双方确认收到的日期"))

RECEIPT_BY_CHANNEL: dict[str, ChannelReceipt] = {
    Channel.MAIL_SIGNED: ChannelReceipt(
        "signed_on",
        (
            (
                "signed_on",
                _("签收日期"),
                _("本机关签收邮件之日，即收到申请之日（条例第三十一条第二项）"),
            ),
            ("mail_tracking_number", _("邮件单号"), _("挂号信或快递的单号")),
        ),
        frozenset({"signed_on", "mail_tracking_number"}),
    ),
    Channel.MAIL_ORDINARY: ChannelReceipt(
        "confirmed_on",
        (
            (
                "submitted_on",
                _("信件到达日期"),
                _("平信到达当日即应与申请人确认收到（条例第三十一条第二项）"),
            ),
            (
                "confirmed_on",
                _("与申请人确认收到的日期"),
                _("确认之日为收到申请之日；不填则为到达当日"),
            ),
            (
                "confirmation_delay_reason",
                _("未能当日确认的原因"),
                _("确认日期晚于到达日期时必填，记入办理记录和期限说明"),
            ),
        ),
        frozenset({"submitted_on"}),
    ),
    Channel.ONLINE: ChannelReceipt(
        "confirmed_on",
        ((*_CONFIRMED, _("网上申请以双方确认之日为收到申请之日")),),
        frozenset({"confirmed_on"}),
    ),
    Channel.EMAIL: ChannelReceipt(
        "confirmed_on",
        ((*_CONFIRMED, _("电子邮件以双方确认之日为收到申请之日")),),
        frozenset({"confirmed_on"}),
    ),
    Channel.FAX: ChannelReceipt(
        "confirmed_on",
        ((*_CONFIRMED, _("传真以双方确认之日为收到申请之日")),),
        frozenset({"confirmed_on"}),
    ),
    Channel.IN_PERSON: ChannelReceipt(
        "submitted_on",
        (("submitted_on", _("提交日期"), _("当面提交以提交之日为收到申请之日")),),
        frozenset({"submitted_on"}),
    ),
}


def receipt_field(channel: str) -> tuple[str, str]:
    """(field, label) of the date that is the channel's receipt date."""
    rule = RECEIPT_BY_CHANNEL[Channel(channel)]
    return rule.receipt_field, rule.receipt_label
