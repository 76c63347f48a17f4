"""Delivery of an issued letter to the applicant: by post, in person, electronically, and the
download from the portal; the applicant's receipt date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from requests_app.history import LetterEvent
from requests_app.models import (
    DeliveryMethod,
)
from requests_app.rules import RuleViolation

from ..models import (
    Delivery,
    LetterState,
)
from .shared import (
    MSG_DELIVERY_METHOD,
    MSG_EMAIL_REQUIRED,
    MSG_NOT_ISSUED,
    MSG_RECEIVED_BEFORE_SENT,
    MSG_TRACKING_REQUIRED,
    _check_role,
    _event,
    _lock,
)


# --- delivery ----------------------------------------------------------------------------------
@transaction.atomic
def delivery_record(
    *,
    letter_id: int,
    by,
    method: str,
    sent_on: dt.date,
    tracking_number: str = "",
    email: str = "",
    received_on: dt.date | None = None,
    note: str = "",
) -> Delivery:
    """送达: how and when the issued letter went out (post with its tracking number, e-mail,
    in person, portal) and, when known, when the applicant received it."""
    letter = _lock(letter_id)
    _check_role(by, letter.agency_id, "deliver")
    if letter.state != LetterState.ISSUED:
        raise RuleViolation(MSG_NOT_ISSUED)
    if method not in DeliveryMethod.values:
        raise RuleViolation(MSG_DELIVERY_METHOD, "method")
    if sent_on > timezone.localdate():
        raise RuleViolation("发出日期不能晚于今天", "sent_on")
    if sent_on < letter.issued_on:
        raise RuleViolation(f"发出日期不能早于签发日期（{letter.issued_on}）", "sent_on")
    if method == DeliveryMethod.POST and not tracking_number.strip():
        raise RuleViolation(MSG_TRACKING_REQUIRED, "tracking_number")
    if method == DeliveryMethod.EMAIL and not email.strip():
        raise RuleViolation(MSG_EMAIL_REQUIRED, "email")
    if received_on is not None:
        _receipt_date_check(received_on, sent_on)
    delivery = Delivery.objects.create(
        letter=letter,
        method=method,
        tracking_number=tracking_number.strip(),
        email=email.strip(),
        sent_on=sent_on,
        received_on=received_on,
        note=note.strip(),
        recorded_by=by,
    )
    _event(
        letter,
        by,
        LetterEvent.DELIVERY,
        note,
        method=method,
        sent_on=sent_on.isoformat(),
        tracking_number=delivery.tracking_number,
        received_on=received_on.isoformat() if received_on else None,
    )
    return delivery


def _receipt_date_check(received_on: dt.date, sent_on: dt.date) -> None:
    if received_on > timezone.localdate():
        raise RuleViolation("收到日期不能晚于今天", "received_on")
    if received_on < sent_on:
        raise RuleViolation(MSG_RECEIVED_BEFORE_SENT, "received_on")


@transaction.atomic
def delivery_receipt_record(
    *, delivery_id: int, by, received_on: dt.date, reason: str = ""
) -> Delivery:
    """The applicant's receipt date of a letter, learnt later (e.g. the postal return slip)."""
    delivery = Delivery.objects.select_for_update().select_related("letter").get(pk=delivery_id)
    _check_role(by, delivery.letter.agency_id, "deliver")
    _receipt_date_check(received_on, delivery.sent_on)
    old = delivery.received_on
    if old == received_on:
        return delivery
    delivery.received_on = received_on
    delivery.save(update_fields=["received_on"])
    _event(
        delivery.letter,
        by,
        LetterEvent.DELIVERY_RECEIPT,
        reason,
        received_on=[old.isoformat() if old else None, received_on.isoformat()],
    )
    return delivery


@transaction.atomic
def delivery_record_electronic(
    *, letter_id: int, method: str, email: str = "", note: str = ""
) -> Delivery:
    """电子送达 done by the system (no staff user): the letter made available for download on
    the portal, or e-mailed to the applicant, today. One row per letter and method."""
    letter = _lock(letter_id)
    if letter.state != LetterState.ISSUED:
        raise RuleViolation(MSG_NOT_ISSUED)
    if method not in (DeliveryMethod.PORTAL, DeliveryMethod.EMAIL):
        raise RuleViolation(MSG_DELIVERY_METHOD, "method")
    existing = Delivery.objects.filter(letter=letter, method=method, recorded_by=None).first()
    if existing:
        return existing
    today = timezone.localdate()
    delivery = Delivery.objects.create(
        letter=letter,
        method=method,
        email=email.strip(),
        sent_on=max(today, letter.issued_on),
        note=note.strip(),
        recorded_by=None,
    )
    _event(
        letter,
        None,
        LetterEvent.DELIVERY,
        note,
        method=method,
        sent_on=delivery.sent_on.isoformat(),
        email=delivery.email,
    )
    return delivery


@transaction.atomic
def delivery_download_record(*, letter_id: int) -> Delivery | None:
    """The applicant downloaded the letter on the portal: the first download is the proof of
    receipt (its date is the received date, written into the case history); later ones change
    nothing."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("letter")
        .filter(letter_id=letter_id, method=DeliveryMethod.PORTAL, recorded_by=None)
        .first()
    )
    if delivery is None or delivery.received_on is not None:
        return delivery
    delivery.received_on = max(timezone.localdate(), delivery.sent_on)
    delivery.save(update_fields=["received_on"])
    _event(
        delivery.letter,
        None,
        LetterEvent.DELIVERY_RECEIPT,
        "申请人在网上首次下载（送达凭证）",
        received_on=[None, delivery.received_on.isoformat()],
        downloaded_at=timezone.now().isoformat(timespec="seconds"),
    )
    return delivery
