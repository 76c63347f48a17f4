from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "文书"

    def ready(self) -> None:
        from . import orchestration

        orchestration.register()  # actions draft their notices (letters/orchestration.py)
