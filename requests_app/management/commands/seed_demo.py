"""`python manage.py seed_demo` (SPEC §9): idempotent demo data, then the demo logins."""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand

from requests_app import demo


def demo_modules():
    """Every installed app's `<app>.demo` module with a `seed(stdout)` (the core's first)."""
    yield demo
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name == "requests_app" or importlib.util.find_spec(config.name) is None:
            continue
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "seed", None)):
            yield module


class Command(BaseCommand):
    help = (
        "载入演示数据（可重复执行，已有的数据不会重复创建）：以 CITY-OFFICE（淄博市人民政府办公室）为根的机关树、"
        "演示账号、2020 年报表所依据的案件、本年度各状态的案件，以及其他模块的演示数据。"
    )

    def handle(self, *args, **options):
        for module in demo_modules():
            module.seed(self.stdout)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"演示账号（密码均为 {demo.DEMO_PASSWORD}，仅供演示）：")
        )
        for username, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {role}")
