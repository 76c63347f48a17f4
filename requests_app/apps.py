from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "依申请公开案件"

    def ready(self) -> None:
        from workcalendar.hooks import calendar_change_register

        from .services.deadlines import case_deadlines_recompute_open

        # A calendar change recomputes every open case's deadline (workcalendar/hooks.py).
        calendar_change_register(case_deadlines_recompute_open)
