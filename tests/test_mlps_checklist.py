"""deploy/mlps.md (the 等保 2.0 level-3 application checklist): every test it cites exists, and
each of the nine application-layer sections is there with at least one test reference."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKLIST = ROOT / "deploy" / "mlps.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")
SECTIONS = [
    "身份鉴别",
    "访问控制",
    "安全审计",
    "入侵防范",
    "数据完整性",
    "数据保密性",
    "数据备份恢复",
    "剩余信息保护",
    "个人信息保护",
]


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_test_the_checklist_cites_exists():
    references = REFERENCE.findall(CHECKLIST.read_text(encoding="utf-8"))
    assert len(references) >= 30
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).is_file() or name not in defined_tests(ROOT / path)
    ]
    assert missing == []


def test_every_section_is_there_and_every_product_row_cites_a_test():
    text = CHECKLIST.read_text(encoding="utf-8")
    headings = re.findall(r"^## \d+\. (\S+)", text, flags=re.MULTILINE)
    assert headings == SECTIONS
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        assert REFERENCE.search(section) or section.startswith("Not the application"), section[:20]
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if cells[0] == "要求" or len(cells) < 4:
            continue
        product, tests = cells[1], cells[2]
        # A row that claims something the product does names the test that shows it, unless
        # the claim is "not applicable", "none" or a deployment fact shown in deploy/.
        if product not in ("—",) and not product.startswith("不适用") and tests == "—":
            assert row.split("|")[1].strip() in UNTESTED_BY_DESIGN, row


# Rows whose product column describes packaging or deployment, not behaviour a test can show.
UNTESTED_BY_DESIGN = {
    "b) 重命名或删除默认账户",
    "a) 最小安装原则",
    "b) 关闭不需要的服务和端口",
    "e) 发现已知漏洞并及时修补",
    "b) 异地实时备份",
}
