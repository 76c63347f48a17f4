"""Template helpers of the staff pages: navigation by role, masking, labels, form fields
rendered with their label, help and error linked for screen readers."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from .. import labels
from ..selectors import mask_id_number, mask_phone
from ..views.access import user_all_roles

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_roles(context) -> set[str]:
    request = context.get("request")
    return user_all_roles(request) if request is not None else set()


@register.filter
def mask_id(value: str | None) -> str:
    return mask_id_number(value) if value else ""


@register.filter
def mask_tel(value: str | None) -> str:
    return mask_phone(value) if value else ""


@register.filter
def label(value, kind: str) -> str:
    return labels.choice_label(value, kind)


@register.filter
def outcome_detail(case) -> str:
    return labels.outcome_detail(case)


@register.filter
def event_title(event) -> str:
    return labels.event_title(event)


@register.filter
def field_label(value: str) -> str:
    return labels.field_label(value)


@register.filter
def field_list(names) -> str:
    return labels.value_label(list(names or []), "fields")


@register.filter
def pretty_value(value) -> str:
    return labels.value_label(value)


@register.filter
def change_rows(changes) -> list[tuple[str, str]]:
    """History changes as rows (label, text) — see `labels.change_rows`."""
    return labels.change_rows(changes)


@register.filter
def person(user) -> str:
    """A user as a person's name (full name, else username)."""
    return labels.person(user)


@register.inclusion_tag("requests_app/_field.html")
def field(bound: BoundField, css: str = ""):
    """One input with its label, help text and error (aria-describedby / aria-invalid)."""
    described = []
    if bound.help_text:
        described.append(f"{bound.auto_id}_help")
    if bound.errors:
        described.append(f"{bound.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    required = bound.field.required or getattr(bound.field, "marked_required", False)
    if required:
        attrs["required"] = True
    return {
        "bound": bound,
        "widget": bound.as_widget(attrs=attrs),
        "css": css,
        "is_checkbox": bound.widget_type == "checkbox",
        "is_hidden": bound.is_hidden,
        "required": required,
        # the container's id follows the input's (unique per card), without Django's "id_"
        "key": bound.auto_id.removeprefix("id_") if bound.auto_id else bound.html_name,
    }


@register.filter
def getfield_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None else field_label(name)


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
