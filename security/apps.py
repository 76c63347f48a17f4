"""Security log (who did what, from where), issued-letter integrity checks, backup and restore (issue 18)."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = "安全日志"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
