"""Links to the letters module's pages, where it exposes them (issue 4); otherwise the
letters panel on the case page."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def receipt_letter_url(case) -> str:
    for name, kwargs in (
        ("letters:case_letters", {"public_id": case.public_id}),
        ("letters:case", {"public_id": case.public_id}),
    ):
        try:
            return reverse(name, kwargs=kwargs) + "?kind=receipt"
        except NoReverseMatch:
            continue
    return reverse("requests_app:case_detail", args=[case.public_id]) + "#letters"
