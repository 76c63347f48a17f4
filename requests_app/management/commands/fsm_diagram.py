"""`fsm_diagram [--write|--check] [--readme PATH]`: the case workflow as a Mermaid state diagram,
generated from the FSM definitions (requests_app/diagram.py). Without an option it prints the
block; `--write` puts it into README.md between its markers; `--check` fails when the README's
diagram and the code disagree."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from requests_app.diagram import MarkersMissing, readme_block, readme_with_diagram

MSG_OUT_OF_DATE = "README.md 中的状态图与代码不一致：请运行 manage.py fsm_diagram --write"


class Command(BaseCommand):
    help = "生成案件状态图（Mermaid），写入或核对 README.md"

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--write", action="store_true", help="写入 README.md 的标记区块")
        mode.add_argument("--check", action="store_true", help="README.md 与代码不一致时报错")
        parser.add_argument("--readme", default=str(Path(settings.BASE_DIR) / "README.md"))

    def handle(self, *args, write=False, check=False, readme="", **options):
        if not (write or check):
            self.stdout.write(readme_block())
            return
        path = Path(readme)
        text = path.read_text(encoding="utf-8")
        try:
            wanted = readme_with_diagram(text)
        except MarkersMissing as exc:
            raise CommandError(str(exc)) from exc
        if check:
            if wanted != text:
                raise CommandError(MSG_OUT_OF_DATE)
            self.stdout.write("README.md 中的状态图与代码一致。")
            return
        if wanted != text:
            path.write_text(wanted, encoding="utf-8")
            self.stdout.write(f"已更新 {path} 中的状态图。")
        else:
            self.stdout.write(f"{path} 中的状态图已是最新。")
