"""Reads of the security log."""

from __future__ import annotations

from collections.abc import Iterable

from .kinds import SecurityEventKind
from .models import SecurityEvent

INTEGRITY_KINDS = (
    SecurityEventKind.FILE_INTEGRITY_MISMATCH,
    SecurityEventKind.FILE_INTEGRITY_RESTORED,
)


def integrity_flagged(object_type: str, object_ids: Iterable) -> set[str]:
    """The ids (as strings) among `object_ids` whose latest integrity event is a mismatch: the
    file found altered or missing and not yet found intact again."""
    ids = [str(pk) for pk in object_ids]
    if not ids:
        return set()
    latest: dict[str, str] = {}
    rows = (
        SecurityEvent.objects.filter(
            object_type=object_type, object_id__in=ids, kind__in=INTEGRITY_KINDS
        )
        .order_by("created_at", "id")
        .values_list("object_id", "kind")
    )
    for object_id, kind in rows:
        latest[object_id] = kind
    return {pk for pk, kind in latest.items() if kind == SecurityEventKind.FILE_INTEGRITY_MISMATCH}
