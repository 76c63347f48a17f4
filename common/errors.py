"""The one family of refusals every layer raises (issue 12), and the API status of each.

Every refusal carries a message for people and, where one field is at fault, the field's name.
The API answers each class with one status and one JSON shape (common/api_handler.py,
{"error": {"code", "message", "fields"}}); pages show the message under the field or above
the form.

| class           | status | code            | when                                            |
| RuleViolation   | 400    | invalid         | with a field: bad input, the field named        |
| RuleViolation   | 409    | refused         | without a field: the rules refuse it as it is   |
| NotPermitted    | 403    | not_permitted   | the user's role does not allow it               |
| Conflict        | 409    | conflict        | somebody else changed it first (stale version)  |
| FieldErrors     | 400    | invalid         | several fields at fault at once (intake, import) |

Lowest layer, so agencies, periods, cases, letters, reports and audits all raise the same
classes without importing one another."""

from __future__ import annotations

MSG_NOT_PERMITTED = "您没有执行此操作的权限"
MSG_INVALID = "提交的内容有误"


class RuleViolation(Exception):
    """A refused action: carries the message and, where one field is at fault, its name."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class NotPermitted(RuleViolation):
    """The user's role (in the agency concerned) does not allow the action: 403."""

    def __init__(self, message: str = MSG_NOT_PERMITTED, field: str | None = None) -> None:
        super().__init__(message, field)


class Conflict(RuleViolation):
    """Somebody else changed the record first (stale version or a state that moved on): 409."""


class FieldErrors(Exception):
    """Bad input in several places at once: `errors` maps each field (or `row N`) to its
    message, or lists the problems; nothing was saved. 400."""

    def __init__(self, errors: dict[str, str] | list[str]) -> None:
        self.errors = errors
        text = errors if isinstance(errors, list) else [f"{k}: {v}" for k, v in errors.items()]
        super().__init__("; ".join(text))
