"""`python manage.py import_cases FILE --agency CODE [--dry-run] [--user USERNAME]` (SPEC §9)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from common.operators import os_account, system_import_label
from requests_app.services.imports import ImportFailed, cases_import_file


def import_user_resolve(username: str | None):
    """The user named by --user (a clear error if there is none), or None: without --user the
    command is the server operator's, run as the system."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在")
    return user


class Command(BaseCommand):
    help = (
        "从 .csv（UTF-8，可带 BOM）或 .xlsx（第一个工作表）导入案件。"
        "列：case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on。"
        "全部成功才导入；有错误时逐行报告“row N: 问题”（表头为第 1 行），不导入任何数据，退出码非零。"
        "有 outcome 与 closed_on 的行以“导入已办结案件”流转办结，并记入案件历史。"
        "执行人：--user 指定的用户（须在该机关担任登记员、承办人、审核人或系统管理员）；"
        "未指定时由系统执行，案件历史记为“系统导入”并写明运行命令的操作系统账户。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .csv 或 .xlsx 文件")
        parser.add_argument("--agency", required=True, help="受理机关代码，如 CITY-OFFICE")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument("--user", help="执行导入的用户名（默认：系统导入，记录操作系统账户）")

    def handle(self, *args, file, agency, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在")
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise CommandError(f"机关代码“{agency}”不存在")
        by = import_user_resolve(user)
        account = os_account() if by is None else ""
        try:
            result = cases_import_file(
                path, agency=target, by=by, dry_run=dry_run, system_account=account
            )
        except ImportFailed as exc:
            raise CommandError(exc.report()) from exc
        summary = f"{result.total} 件（已办结 {result.closed} 件，未办结 {result.open} 件）"
        if dry_run:
            self.stdout.write(
                f"校验通过：将向“{target.name}”导入 {summary}。--dry-run：未写入任何数据。"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已向“{target.name}”导入 {summary}，操作人 "
                    f"{by.username if by else system_import_label(account)}。"
                )
            )
