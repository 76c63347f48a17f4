"""One writer for the security log: `security_event_record` (a row now) and
`security_event_defer` (a row when the request ends: for refusals raised inside a transaction
that is about to roll back). Each row is also appended as one JSON line to
settings.SECURITY_LOG_FILE for the office's log collector."""

from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from common.net import client_address

from .context import current_request, defer
from .kinds import SecurityEventKind
from .models import SecurityEvent

log = logging.getLogger("ogi.security")

_USER_AGENT_MAX = 300
_PATH_MAX = 300


def _who(user) -> tuple[int | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, user.get_username()


def _object(obj, object_type: str, object_id: str, object_repr: str) -> tuple[str, str, str]:
    if obj is not None:
        meta = obj._meta
        object_type = object_type or f"{meta.app_label}.{meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return object_type, str(object_id or ""), (object_repr or "")[:200]


def _valid_address(value: str | None) -> str | None:
    """An IP address for the inet column, or None (a unix socket or a garbled header must not
    make the login fail on the log's insert)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _build(
    kind: str,
    *,
    request=None,
    user=None,
    username: str = "",
    address: str | None = None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    SecurityEventKind(kind)  # an unknown kind is a programming error: fail loudly
    request = request if request is not None else current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    user_pk, name = _who(user)
    object_type, object_id, object_repr = _object(obj, object_type, str(object_id), object_repr)
    return SecurityEvent(
        kind=kind,
        user_pk=user_pk,
        username=(username or name)[:150],
        address=_valid_address(
            address or (client_address(request) if request is not None else None)
        ),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[
            :_USER_AGENT_MAX
        ],
        path=(request.path if request is not None else "")[:_PATH_MAX],
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder, ensure_ascii=False)),
    )


def _write(event: SecurityEvent) -> SecurityEvent:
    event.save()
    _append_json_line(event)
    return event


def security_event_record(kind: str, **fields) -> SecurityEvent:
    """Record one security event now. `request` (or the current request) gives who, the
    address, user agent and path; `user`/`username`/`address` name them where there is no
    request (a command, a task, a login attempt); `obj` or object_type/id/repr say what;
    `details` is a JSON object of the rest."""
    return _write(_build(kind, **fields))


def security_event_defer(kind: str, **fields) -> None:
    """Record at the end of the current request (outside its transactions); immediately where
    there is no request (a command or task, whose own transaction decides)."""
    event = _build(kind, **fields)
    if not defer(lambda: _write(event)):
        _write(event)


def as_json_line(event: SecurityEvent) -> str:
    return json.dumps(
        {
            "id": event.pk,
            "time": event.created_at.isoformat(),
            "kind": event.kind,
            "user_id": event.user_pk,
            "username": event.username,
            "address": event.address,
            "user_agent": event.user_agent,
            "path": event.path,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object": event.object_repr,
            "details": event.details,
        },
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )


def _append_json_line(event: SecurityEvent) -> None:
    """One line per event, appended (O_APPEND: lines of concurrent processes do not mix). A
    file that cannot be written does not stop the user's work; the row is in the database."""
    path = Path(settings.SECURITY_LOG_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(as_json_line(event) + "\n")
    except OSError as exc:
        log.error("security log file %s not written: %s", path, exc)
