"""Who and from where, for events recorded below the view layer (a service that refuses an
action knows the user but not the request): the middleware keeps the current request in a
context variable, and holds back events that must outlive a rolled-back transaction (a refused
action raises inside `transaction.atomic`, which would undo a row written there) until the
response is built, outside any transaction."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

_request: contextvars.ContextVar = contextvars.ContextVar("security_request", default=None)
_deferred: contextvars.ContextVar = contextvars.ContextVar("security_deferred", default=None)


def current_request():
    return _request.get()


def defer(write: Callable[[], None]) -> bool:
    """Queue `write` until the end of the current request; False when there is no request."""
    pending = _deferred.get()
    if pending is None:
        return False
    pending.append(write)
    return True


class SecurityContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_token = _request.set(request)
        deferred_token = _deferred.set([])
        try:
            return self.get_response(request)
        finally:
            pending = _deferred.get() or []
            _deferred.reset(deferred_token)
            for write in pending:
                write()
            _request.reset(request_token)
