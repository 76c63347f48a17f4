"""Security log (who did what, from where), issued-letter integrity checks, backup and restore (issue 18)."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = "安全日志"

    def ready(self):
        from common.api_handler import api_denied_register

        from . import signals  # noqa: F401  (connects the receivers)
        from .events import security_event_defer
        from .kinds import SecurityEventKind

        def api_denied(request, reason):
            """A refused API request (common.api_handler) is one access-denied row."""
            security_event_defer(
                SecurityEventKind.ACCESS_DENIED,
                request=request,
                details={"method": getattr(request, "method", ""), "reason": reason},
            )

        api_denied_register(api_denied)
