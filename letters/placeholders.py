"""The template keys and the placeholders each template may or must use.

A template key is a letter kind, or `reply_<group>` for the reply variants, or `envelope`.
Uploaded templates are checked against these lists (SPEC §4: administrators replace templates
per agency; a template with unknown placeholders or without the required ones is refused)."""

from __future__ import annotations

from requests_app.outcomes import outcome_group

# Placeholders every letter context carries.
COMMON = {
    "draft",
    "title",
    "letter_number",
    "replaces_number",
    "recipient_name",
    "recipient_address",
    "recipient_postcode",
    "applicant_name",
    "case_no",
    "received_on",
    "request_content",
    "body",
    "agency_name",
    "agency_address",
    "agency_postcode",
    "agency_phone",
    "issue_date",
    "seal",
}
# Structured fields (letter details) per template key.
EXTRA: dict[str, set[str]] = {
    "receipt": {"reply_due", "tracking_code"},
    "supplement_notice": {"missing", "supplement_due"},
    "extension_notice": {"reply_due", "new_due", "extension_days", "extension_reason"},
    "consultation_letter": {"third_party", "answer_period"},
    "fee_notice": {
        "fee_amount",
        "fee_standard",
        "fee_lines",
        "payment_method",
        "fee_basis",
        "payment_due",
    },
    "reply_disclosed": {"access", "legal_basis", "remedy"},
    "reply_partially_disclosed": {"access", "withhold_reason", "legal_basis", "remedy"},
    "reply_withheld": {"withhold_reason", "legal_basis", "remedy"},
    "reply_unavailable": {"responsible_agency", "responsible_contact", "legal_basis", "remedy"},
    "reply_not_processed": {"legal_basis", "remedy"},
    "reply_other": {"legal_basis", "remedy"},
    "envelope": set(),
}
TEMPLATE_KEYS = list(EXTRA)

_REQUIRED_LETTER = {"letter_number", "recipient_name", "body", "agency_name", "issue_date", "draft"}
_REQUIRED_REPLY = _REQUIRED_LETTER | {
    "case_no",
    "received_on",
    "request_content",
    "legal_basis",
    "remedy",
}
# Every notice and receipt identifies the request: receipt date, case number, content (SPEC §4).
_REQUIRED_NOTICE = _REQUIRED_LETTER | {"case_no", "received_on", "request_content"}
REQUIRED: dict[str, set[str]] = {
    "receipt": _REQUIRED_NOTICE | {"reply_due"},
    "supplement_notice": _REQUIRED_NOTICE | {"missing", "supplement_due"},
    "extension_notice": _REQUIRED_NOTICE | {"new_due"},
    "consultation_letter": _REQUIRED_NOTICE | {"answer_period"},
    "fee_notice": _REQUIRED_NOTICE | {"fee_amount", "fee_lines", "payment_method", "payment_due"},
    "reply_disclosed": _REQUIRED_REPLY,
    "reply_partially_disclosed": _REQUIRED_REPLY | {"withhold_reason"},
    "reply_withheld": _REQUIRED_REPLY | {"withhold_reason"},
    "reply_unavailable": _REQUIRED_REPLY,
    "reply_not_processed": _REQUIRED_REPLY,
    "reply_other": _REQUIRED_REPLY,
    "envelope": {
        "recipient_name",
        "recipient_address",
        "recipient_postcode",
        "agency_name",
        "agency_address",
        "letter_number",
    },
}


def known_placeholders(key: str) -> set[str]:
    return COMMON | EXTRA[key]


def template_key_for(kind: str, outcome: str = "") -> str:
    """The template key of a letter kind (replies: by outcome group)."""
    if kind == "reply":
        return f"reply_{outcome_group(outcome)}"
    return kind
