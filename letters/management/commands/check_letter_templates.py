"""`python manage.py check_letter_templates`: re-check every uploaded letter template in use."""

from django.core.management.base import BaseCommand

from letters.services import templates_recheck


class Command(BaseCommand):
    help = (
        "用当前的检查（占位符、沙箱安全检查、试生成）重新检查各机关上传的文书模板；"
        "不合格的模板停用（改用默认模板或较早的合格模板），并逐一报告原因。可重复执行。"
    )

    def handle(self, *args, **options):
        refused = templates_recheck()
        for template, problems in refused:
            self.stdout.write(
                f"已停用：{template.agency.name} {template.key}（{template.original_name}）："
                + "；".join(problems)
            )
        self.stdout.write(self.style.SUCCESS(f"检查完成，停用 {len(refused)} 个模板。"))
