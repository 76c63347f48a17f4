"""Possible repeat requests (重复申请, SPEC §3 `not_processed.repeated`, Art. 36(6)).

A new request is flagged when the same applicant (same ID number or credit code; by exact
name only when neither is known) had a similar request answered or closed by the same agency
within the past year, or has a similar request still open there (the same request registered
twice, e.g. sent by post and by e-mail). The flag is a history note pointing to the earlier case: the handler
decides; nothing is ever merged."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Q

from ..history import history_event, history_write_many
from ..models import FINISHED_STATES, OPEN_STATES, Case, EventKind
from ..outcomes import Outcome

SIMILARITY_THRESHOLD = 0.8
LOOKBACK_DAYS = 365
MAX_CANDIDATES = 200
REPEAT_LABEL = "可能重复申请"

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class RepeatMatch:
    case: Case
    similarity: float


def text_normalise(text: str) -> str:
    return _NOISE.sub("", text or "").lower()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def text_similarity(a: str, b: str) -> float:
    """Similarity of two request texts in [0, 1]: the better of difflib's ratio and the
    Dice coefficient of character bigrams (robust to reordered clauses)."""
    a, b = text_normalise(a), text_normalise(b)
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    x, y = _bigrams(a), _bigrams(b)
    dice = 2 * len(x & y) / (len(x) + len(y))
    return max(ratio, dice)


def case_repeat_candidates(case: Case) -> list[RepeatMatch]:
    """Earlier cases of the same applicant with similar text: answered or closed within a
    year, or still open."""
    if case.applicant_id_number:
        same = Q(applicant_id_number=case.applicant_id_number)
    elif case.applicant_credit_code:
        same = Q(applicant_credit_code=case.applicant_credit_code)
    else:
        same = Q(
            applicant_name=case.applicant_name, applicant_id_number="", applicant_credit_code=""
        )
    since = case.received_on - dt.timedelta(days=LOOKBACK_DAYS)
    closed = Q(state__in=FINISHED_STATES, closed_on__gte=since, closed_on__lte=case.received_on)
    still_open = Q(state__in=OPEN_STATES, received_on__gte=since)
    earlier = (
        Case.objects.filter(same, agency_id=case.agency_id)
        .filter(closed | still_open)
        .exclude(pk=case.pk)
        .exclude(outcome=Outcome.REPEATED)
        .order_by("-received_on", "-id")[:MAX_CANDIDATES]
    )
    matches = []
    for other in earlier:
        score = text_similarity(case.content, other.content)
        if score >= SIMILARITY_THRESHOLD:
            matches.append(RepeatMatch(other, round(score, 2)))
    return sorted(matches, key=lambda m: -m.similarity)


def case_repeat_flag(*, case: Case, by) -> list[RepeatMatch]:
    """Write a history note for each possible earlier request (call inside the registration
    transaction), in one statement however many there are. Returns the matches."""
    matches = case_repeat_candidates(case)
    notes = [
        history_event(
            case=case,
            kind=EventKind.NOTE,
            by=by,
            reason=(
                f"{REPEAT_LABEL}：与 {match.case.case_no}"
                f"（{'尚在办理' if match.case.is_open else '已办结'}）相似"
                f"（相似度 {match.similarity:.0%}），请承办人判断"
            ),
            changes={
                "possible_repeat_of": match.case.case_no,
                "possible_repeat_public_id": str(match.case.public_id),
                "similarity": match.similarity,
                "earlier_closed_on": match.case.closed_on.isoformat()
                if match.case.closed_on
                else None,
                "earlier_state": match.case.state,
                "earlier_outcome": match.case.outcome,
            },
        )
        for match in matches
    ]
    if notes:
        history_write_many(notes)
    return matches
