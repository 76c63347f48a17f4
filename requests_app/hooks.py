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
