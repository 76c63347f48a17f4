"""After-action hooks: a registry through which apps above requests_app (letters) react to a
case action without requests_app importing them (layering: letters sits above the cases).

`case_act` calls `after_action_run` in the action's own transaction, after the action's history
entry (CaseEvent) is written; a hook that raises undoes the action with it. Hooks are registered
once at start-up by the app that owns them (letters/apps.py → letters/orchestration.py)."""

from __future__ import annotations

from collections.abc import Callable

Hook = Callable[..., None]  # hook(case=..., by=..., event=...)

_AFTER_ACTION: dict[str, list[Hook]] = {}


def after_action_register(action: str, hook: Hook) -> None:
    """Register `hook` to run after `action`; registering the same hook twice is a no-op."""
    hooks = _AFTER_ACTION.setdefault(action, [])
    if hook not in hooks:
        hooks.append(hook)


def after_action_hooks(action: str) -> list[Hook]:
    return list(_AFTER_ACTION.get(action, []))


def after_action_run(action: str, *, case, by, event) -> None:
    for hook in after_action_hooks(action):
        hook(case=case, by=by, event=event)


# --- after registration (issue 12) ---------------------------------------------------------
# Run after the registering transaction commits, with (case_id, by_id): e.g. letters sends the
# receipt letter (回执) where the agency issues one on registration.
RegistrationHook = Callable[[int, int], None]
_AFTER_REGISTRATION: list[RegistrationHook] = []


def after_registration_register(hook: RegistrationHook) -> None:
    if hook not in _AFTER_REGISTRATION:
        _AFTER_REGISTRATION.append(hook)


def after_registration_run(*, case_id: int, by_id: int) -> None:
    for hook in list(_AFTER_REGISTRATION):
        hook(case_id, by_id)


# --- the issued reply a closing needs (issue 12, SPEC §4) ---------------------------------------
# One provider (letters): (case, outcome) -> the issued reply letter, or RuleViolation naming
# the field "letter". Closing and the case page ask through `issued_reply_check`.
_ISSUED_REPLY: list[Callable] = []


def issued_reply_register(provider: Callable) -> None:
    _ISSUED_REPLY[:] = [provider]


def issued_reply_check(case, outcome: str | None = None):
    """The issued reply letter the case closes with; raises RuleViolation if there is none."""
    if not _ISSUED_REPLY:
        raise RuntimeError("no issued-reply provider registered (letters app not installed?)")
    return _ISSUED_REPLY[0](case, outcome)
