"""Public pages for applicants: filing, tracking, online supplements, downloads (issue 13)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "申请人门户"

    def ready(self) -> None:
        from letters.hooks import after_issue_register

        from .tasks import on_letter_issued

        after_issue_register(on_letter_issued)  # electronic delivery of issued letters
