from django.apps import AppConfig


class SeasonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "season"
    verbose_name = "年度报告季"

    def ready(self) -> None:
        # The monthly circular (reporting) lists the units past their publication deadline.
        from reporting.circulars import CIRCULAR_ROW_HOOKS

        from .chasing import circular_rows_mark_overdue

        if circular_rows_mark_overdue not in CIRCULAR_ROW_HOOKS:
            CIRCULAR_ROW_HOOKS.append(circular_rows_mark_overdue)
