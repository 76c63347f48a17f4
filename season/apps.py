from django.apps import AppConfig


class SeasonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "season"
    verbose_name = "年度报告季"
