"""import_agencies (SPEC §9): parents resolved over the whole file, upsert by code, all or
nothing with `row N: problem`."""

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency

pytestmark = pytest.mark.django_db
HEADER = "code,name,parent_code,level,address,phone,review_body,court"
TREE = [
    HEADER,
    "ZD-CZ,张店区车站街道办事处,ZD-GOV,town,华光路6号,0533-2170000,张店区人民政府,淄博市张店区人民法院",  # child first
    "ZD-GOV,张店区人民政府,CITY-OFFICE,district,金晶大道2号,0533-2860000,淄博市人民政府,淄博市中级人民法院",
    "CITY-OFFICE,淄博市人民政府办公室,,city,人民西路1号,0533-3182000,淄博市人民政府,淄博市张店区人民法院",
    "CITY-NRP,淄博市自然资源和规划局,CITY-OFFICE,department,联通路10号,0533-3110000,淄博市人民政府,淄博市张店区人民法院",
]


def write(tmp_path, lines, name="agencies.csv", bom=False):
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def errors_of(path) -> list[str]:
    with pytest.raises(CommandError) as info:
        call_command("import_agencies", str(path))
    lines = str(info.value).splitlines()
    assert lines[0].startswith("导入失败，未导入任何数据")
    return lines[1:]


def test_tree_with_parent_later_in_the_file(tmp_path, capsys):
    call_command("import_agencies", str(write(tmp_path, TREE, bom=True)))
    assert "新增 4 个" in capsys.readouterr().out
    town = Agency.objects.get(code="ZD-CZ")
    assert town.parent.code == "ZD-GOV" and town.parent.parent.code == "CITY-OFFICE"
    assert Agency.objects.get(code="CITY-OFFICE").parent is None
    assert (town.level, town.address, town.phone, town.review_body, town.court) == (
        "town",
        "华光路6号",
        "0533-2170000",
        "张店区人民政府",
        "淄博市张店区人民法院",
    )


def test_rerun_is_safe_and_updates_by_code(tmp_path, capsys):
    call_command("import_agencies", str(write(tmp_path, TREE)))
    call_command("import_agencies", str(write(tmp_path, TREE)))
    assert "新增 0 个，更新 0 个，未变 4 个" in capsys.readouterr().out
    assert Agency.objects.count() == 4
    changed = [
        HEADER,
        TREE[2].replace("金晶大道2号", "新地址8号"),
        TREE[1].replace("ZD-GOV,town", "CITY-OFFICE,town"),
    ]
    call_command("import_agencies", str(write(tmp_path, changed)))
    assert "更新 2 个" in capsys.readouterr().out
    assert Agency.objects.get(code="ZD-GOV").address == "新地址8号"
    assert Agency.objects.get(code="ZD-CZ").parent.code == "CITY-OFFICE"


def test_parent_may_already_be_in_the_database(tmp_path, city):
    call_command("import_agencies", str(write(tmp_path, [HEADER, TREE[4]])))
    assert Agency.objects.get(code="CITY-NRP").parent == city


def test_every_bad_row_reported_nothing_saved(tmp_path):
    lines = [
        HEADER,
        TREE[3],  # 2: fine
        "A1,,CITY-OFFICE,district,,,,",  # 3: name missing
        "A2,某机关,CITY-OFFICE,county,,,,",  # 4: bad level
        "A3,某机关,NOWHERE,town,,,,",  # 5: unknown parent
        "CITY-OFFICE,重复,,city,,,,",  # 6: duplicate code
        "C1,甲,C2,town,,,,",  # 7: cycle
        "C2,乙,C1,town,,,,",  # 8: cycle
        "S1,自己,S1,town,,,,",  # 9: own parent
    ]
    assert errors_of(write(tmp_path, lines)) == [
        "row 3: name：此项为必填项",
        "row 4: level：层级须为 city、district、town 或 department，填写的是“county”",
        "row 5: parent_code：上级机关代码“NOWHERE”在文件和系统中都不存在",
        "row 6: code：机关代码“CITY-OFFICE”与第 2 行重复",
        "row 7: parent_code：上级机关关系形成循环（C1 → C2 → C1）",
        "row 8: parent_code：上级机关关系形成循环（C2 → C1 → C2）",
        "row 9: parent_code：上级机关不能是本机关",
    ]
    assert Agency.objects.count() == 0


def test_missing_columns_and_empty_file(tmp_path):
    assert errors_of(write(tmp_path, ["code,name,level", "A,B,city"])) == [
        "row 1: 缺少列：parent_code, address, phone, review_body, court"
    ]
    assert errors_of(write(tmp_path, [""])) == ["row 1: 文件为空（缺少表头）"]
    assert errors_of(write(tmp_path, [HEADER])) == ["row 2: 文件没有数据行"]
    assert Agency.objects.count() == 0


def test_sample_file_imports_under_the_demo_root(city):
    from pathlib import Path

    sample = Path(__file__).resolve().parent.parent / "deploy" / "samples" / "agencies-example.csv"
    call_command("import_agencies", str(sample))
    assert Agency.objects.get(code="ZC-SQ").parent.parent == city
