"""Notifications to applicants and staff, reminders and digests (issue 13)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "通知提醒"

    def ready(self) -> None:
        from requests_app.hooks import after_action_register

        from . import applicant

        after_action_register("request_supplement", applicant.on_supplement_requested)
        after_action_register("approve_extension", applicant.on_extension_approved)
