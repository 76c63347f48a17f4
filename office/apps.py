from django.apps import AppConfig


class OfficeConfig(AppConfig):
    """The office's daily tools over cases and letters: the 台账 export, batch work and the
    archive file (案卷). One layer above `requests_app` and `letters`: it calls their services."""

    name = "office"
    verbose_name = "日常工具"
