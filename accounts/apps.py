from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Login security: lockout logging (django-axes), the second factor (django-otp), expiring
    API tokens."""

    name = "accounts"
    verbose_name = "账号与登录安全"

    def ready(self):
        from . import signals  # noqa: F401
