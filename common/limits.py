"""Input limits at the boundary, read from the models themselves (one place, no copied numbers).

Every form and API serializer that takes a value stored in a model column asks this module for
the column's limits: a text's maximum length, a decimal's digits and places. Dates of real events
(receipt, sending, delivery, payment, reply) lie between the day the Regulations took effect,
2008-05-01, and today; dates that are deadlines (a supplement period, a campaign's end) may lie
ahead, but within a bounded horizon. A value outside its limits is refused with a message naming
the limit, before anything reaches the database (which would otherwise fail with an error 500).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers

# 《中华人民共和国政府信息公开条例》 took effect on 2008-05-01: no request is older.
EARLIEST_EVENT_DATE = dt.date(2008, 5, 1)
# A deadline or a planned date is at most this far ahead (a supplement period, a campaign end).
FUTURE_HORIZON_DAYS = 3 * 366

# PostgreSQL's integer (ids, versions): a larger number can name nothing.
MAX_INT = 2**31 - 1

MSG_TOO_LONG = "不能超过{limit}个字符（现有{length}个）"
MSG_DATE_TOO_EARLY = "日期不能早于2008年5月1日（政府信息公开条例施行之日）"
MSG_DATE_FUTURE = "日期不能晚于今天"
MSG_DATE_TOO_LATE = "日期不能晚于{latest}"
MSG_NUL_CHARACTER = "不能包含空字符（\\x00）"


def model_field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def max_length(model: type[models.Model], name: str) -> int | None:
    """The column's maximum length (an EmailField's too); None for unbounded text."""
    return model_field(model, name).max_length


def decimal_limits(model: type[models.Model], name: str) -> tuple[int, int]:
    """(max_digits, decimal_places) of a DecimalField."""
    field = model_field(model, name)
    return field.max_digits, field.decimal_places


def latest_planned_date(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=FUTURE_HORIZON_DAYS)


# --- checks shared by services, forms and serializers --------------------------------------
def text_error(model: type[models.Model], name: str, value: str | None) -> str | None:
    """The message for a text longer than its column (or holding a NUL, which no PostgreSQL
    text column takes), or None."""
    if value is not None and "\x00" in value:
        return MSG_NUL_CHARACTER
    limit = max_length(model, name)
    if limit is not None and value is not None and len(value) > limit:
        return MSG_TOO_LONG.format(limit=limit, length=len(value))
    return None


def event_date_error(value: dt.date | None, today: dt.date | None = None) -> str | None:
    """The message for the date of a real event outside 2008-05-01 … today, or None."""
    if value is None:
        return None
    if value < EARLIEST_EVENT_DATE:
        return MSG_DATE_TOO_EARLY
    if value > (today or timezone.localdate()):
        return MSG_DATE_FUTURE
    return None


def planned_date_error(value: dt.date | None, today: dt.date | None = None) -> str | None:
    """The message for a deadline or a planned date outside 2008-05-01 … the horizon, or None."""
    if value is None:
        return None
    if value < EARLIEST_EVENT_DATE:
        return MSG_DATE_TOO_EARLY
    latest = latest_planned_date(today)
    if value > latest:
        return MSG_DATE_TOO_LATE.format(latest=latest.isoformat())
    return None


def _validator(check):
    def validate(value):
        message = check(value)
        if message:
            raise ValidationError(message, code="out_of_range")

    return validate


def validate_event_date(value) -> None:
    _validator(event_date_error)(value)


def validate_planned_date(value) -> None:
    _validator(planned_date_error)(value)


def _api_validator(check):
    def validate(value):
        message = check(value)
        if message:
            raise serializers.ValidationError(message, code="out_of_range")

    return validate


# --- API serializer fields -----------------------------------------------------------------
def api_text(model: type[models.Model], name: str, **kwargs) -> serializers.CharField:
    """A CharField as long as the model's column allows."""
    return serializers.CharField(max_length=max_length(model, name), **kwargs)


def api_email(model: type[models.Model], name: str, **kwargs) -> serializers.EmailField:
    return serializers.EmailField(max_length=max_length(model, name), **kwargs)


def api_event_date(**kwargs) -> serializers.DateField:
    """The date of something that happened: 2008-05-01 … today."""
    return serializers.DateField(validators=[_api_validator(event_date_error)], **kwargs)


def api_planned_date(**kwargs) -> serializers.DateField:
    """A deadline or a planned date: 2008-05-01 … the horizon."""
    return serializers.DateField(validators=[_api_validator(planned_date_error)], **kwargs)


def api_decimal(model: type[models.Model], name: str, **kwargs) -> serializers.DecimalField:
    digits, places = decimal_limits(model, name)
    return serializers.DecimalField(max_digits=digits, decimal_places=places, **kwargs)


# --- Django form fields --------------------------------------------------------------------
def form_text(model: type[models.Model], name: str, **kwargs) -> forms.CharField:
    """A form CharField as long as the model's column allows (the browser's maxlength too)."""
    return forms.CharField(max_length=max_length(model, name), **kwargs)


def form_event_date(**kwargs) -> forms.DateField:
    widget = forms.DateInput(
        attrs={"type": "date", "min": EARLIEST_EVENT_DATE.isoformat()}, format="%Y-%m-%d"
    )
    kwargs.setdefault("widget", widget)
    return forms.DateField(validators=[validate_event_date], **kwargs)


def form_planned_date(**kwargs) -> forms.DateField:
    widget = forms.DateInput(
        attrs={"type": "date", "min": EARLIEST_EVENT_DATE.isoformat()}, format="%Y-%m-%d"
    )
    kwargs.setdefault("widget", widget)
    return forms.DateField(validators=[validate_planned_date], **kwargs)


def form_decimal(model: type[models.Model], name: str, **kwargs) -> forms.DecimalField:
    digits, places = decimal_limits(model, name)
    kwargs.setdefault("min_value", Decimal(0))
    return forms.DecimalField(max_digits=digits, decimal_places=places, **kwargs)
