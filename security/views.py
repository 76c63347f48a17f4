"""The web 403 path (config.urls handler403): Django's page, with the refusal in the log."""

from django.views import defaults

from .events import security_event_defer
from .kinds import SecurityEventKind


def permission_denied(request, exception=None):
    security_event_defer(
        SecurityEventKind.ACCESS_DENIED,
        request=request,
        details={"method": request.method, "reason": str(exception or "")[:200]},
    )
    return defaults.permission_denied(request, exception)
