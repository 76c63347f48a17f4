"""Presentation of the audit history: readable Chinese for an event's recorded changes. The
labels themselves come from `requests_app.labels` (one place for every history label)."""

from django import template

from requests_app import labels

register = template.Library()


@register.filter
def changes_text(changes) -> str:
    """{'sent_on': [old, new], 'agencies': [...]} → '发出日期：（空） → 2026-09-30；…'."""
    if not isinstance(changes, dict):
        return ""
    return "；".join(
        labels.pair_text(key, value, scope="audit")
        for key, value in changes.items()
        if key not in labels.HIDDEN_FIELDS
    )


@register.filter
def status_label(value) -> str:
    return labels.value_label(value) if value else "—"


@register.filter
def person(user) -> str:
    return labels.person(user)
