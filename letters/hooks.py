"""After-issue hooks: apps above letters (portal: electronic delivery; documents) react to an
issued letter without letters importing them (layering). `after_issue` holds callables taking
the letter; `letter_issue` runs them after its transaction commits. Register from the higher
app's `apps.py ready()`."""

from __future__ import annotations

from collections.abc import Callable

after_issue: list[Callable] = []


def after_issue_register(hook: Callable) -> None:
    """Add `hook(letter)`; registering the same hook twice is a no-op."""
    if hook not in after_issue:
        after_issue.append(hook)


def after_issue_run(letter) -> None:
    for hook in list(after_issue):
        hook(letter)
