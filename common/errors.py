"""The one family of refusals every layer raises (issue 12): each carries a message for people
and, where one field is at fault, the field's name. The API answers each class with one status
(common/api_handler.py); pages show the message under the field or above the form.

Lowest layer, so agencies, periods, cases, letters, reports and audits all raise the same
classes without importing one another."""

from __future__ import annotations


class RuleViolation(Exception):
    """A refused action: carries the message and, where one field is at fault, its name."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field
