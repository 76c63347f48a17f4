from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "模拟申请测评"

    def ready(self) -> None:
        from . import labels

        labels.register()  # history labels of campaigns and test requests (audits/labels.py)
