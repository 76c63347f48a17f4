"""redact_pdf IN.pdf --output OUT.pdf [--terms 张三,李四] [--patterns id_number,mobile,…]
[--ground personal] [--log LOG.csv]: detect and redact in one go (batch work and checks), with
the same engine as the workbench; writes one log line per box."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import engine
from documents.grounds import GROUND_LABELS, GROUND_SHORT, Ground

LOG_HEADER = ["page", "x0", "y0", "x1", "y1", "kind", "ground", "label"]


class Command(BaseCommand):
    help = "检测并遮盖 PDF 中的个人信息和指定词语，输出公开版本与遮盖记录"

    def add_arguments(self, parser):
        parser.add_argument("input", help="要处理的 PDF")
        parser.add_argument("--output", required=True, help="公开版本 PDF 的输出路径")
        parser.add_argument("--terms", default="", help="需遮盖的词语，以逗号分隔")
        parser.add_argument(
            "--patterns",
            default=",".join(engine.PATTERNS),
            help=f"检测的类型，以逗号分隔（{','.join(engine.PATTERNS)}）；留空则不检测",
        )
        parser.add_argument(
            "--ground", default=Ground.PERSONAL, choices=Ground.values, help="遮盖依据"
        )
        parser.add_argument("--log", help="遮盖记录 CSV 的输出路径")
        parser.add_argument("--dpi", type=int, default=engine.RENDER_DPI)

    def handle(self, *args, **options):
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"找不到输入文件：{source}")
        patterns = [p.strip() for p in options["patterns"].split(",") if p.strip()]
        unknown = sorted(set(patterns) - set(engine.PATTERNS))
        if unknown:
            raise CommandError(f"--patterns 含未知类型：{','.join(unknown)}")
        terms = [t.strip() for t in options["terms"].replace("，", ",").split(",") if t.strip()]
        data = source.read_bytes()
        try:
            found = engine.detect(data, patterns=patterns, terms=terms)
        except engine.PdfUnreadable as exc:
            raise CommandError(f"无法读取 PDF：{source}") from exc
        ground = options["ground"]
        label = f"{GROUND_LABELS[ground]}|{GROUND_SHORT[ground]}"
        boxes = [
            engine.Box(b.page, b.x0, b.y0, b.x1, b.y1, kind=b.kind, label=label) for b in found
        ]
        Path(options["output"]).write_bytes(engine.redact(data, boxes, dpi=options["dpi"]))
        if options["log"]:
            with open(options["log"], "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(LOG_HEADER)
                for box in boxes:
                    writer.writerow(
                        [
                            box.page + 1,
                            f"{box.x0:.1f}",
                            f"{box.y0:.1f}",
                            f"{box.x1:.1f}",
                            f"{box.y1:.1f}",
                            box.kind,
                            ground,
                            GROUND_LABELS[ground],
                        ]
                    )
        pages = len({b.page for b in boxes})
        self.stdout.write(f"遮盖 {len(boxes)} 处，涉及 {pages} 页；输出 {options['output']}")
