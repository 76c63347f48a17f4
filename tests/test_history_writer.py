"""One history writer (requests_app/history.py), issue 12: an enumerated event type, [old, new]
pairs for changes of fields, and no other module building CaseEvent rows by hand."""

import re
from pathlib import Path

import pytest

from requests_app.history import LetterEvent, history_diff, history_event
from requests_app.labels import EVENT_TITLES
from requests_app.models import EventKind

ROOT = Path(__file__).resolve().parent.parent
HAND_WRITTEN = re.compile(r"CaseEvent\.objects\.(create|bulk_create)\(|(?<![\w.])CaseEvent\(")


def test_no_module_but_the_writer_builds_history_rows():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/")) or "/migrations/" in rel:
            continue
        if rel in ("requests_app/history.py", "requests_app/models.py"):
            continue
        if HAND_WRITTEN.search(path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []


def test_the_event_type_is_enumerated():
    with pytest.raises(ValueError):
        history_event(kind="letter_issued", case_id=1)  # not an EventKind
    with pytest.raises(ValueError):
        history_event(kind=EventKind.LETTER, case_id=1, transition="letter_sent")
    with pytest.raises(ValueError):
        history_event(kind=EventKind.TRANSITION, case_id=1, transition="close_quickly")
    event = history_event(kind=EventKind.LETTER, case_id=1, transition=LetterEvent.ISSUE)
    assert event.transition == "letter_issue"
    assert all(EVENT_TITLES[value] == label for value, label in LetterEvent.choices)


def test_changes_of_fields_are_old_new_pairs():
    with pytest.raises(ValueError, match="reply_due"):
        history_event(kind=EventKind.EDIT, case_id=1, changes={"reply_due": "2026-01-05"})
    diff = history_diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": "x"})
    assert diff == {"b": [2, 3], "c": [None, "x"]}
    assert history_event(kind=EventKind.EDIT, case_id=1, changes=diff).changes == diff
