"""Table two (二、主动公开政府信息情况): its blocks, rows and columns per format (ogi-domain §6.1).

Values are entered by staff; each field is named `<row>__<column>`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, kind: int | signed | amount)
    rows: list[tuple[str, str]]  # (key, label)


COUNT_2019 = [
    ("prev_items", "上一年项目数量", "int"),
    ("change", "本年增/减", "signed"),
    ("decisions", "处理决定数量", "int"),
]

TABLE2_BLOCKS: dict[str, list[Block]] = {
    "2019": [
        Block(
            "第二十条第（一）项",
            [
                ("made", "本年新制作数量", "int"),
                ("published", "本年新公开数量", "int"),
                ("in_force", "对外公开总数量", "int"),
            ],
            [("rules", "规章"), ("normative_documents", "规范性文件")],
        ),
        Block(
            "第二十条第（五）项",
            COUNT_2019,
            [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")],
        ),
        Block(
            "第二十条第（六）项",
            COUNT_2019,
            [("penalties", "行政处罚"), ("enforcement", "行政强制")],
        ),
        Block("第二十条第（八）项", COUNT_2019[:2], [("fees", "行政事业性收费")]),
        Block(
            "第二十条第（九）项",
            [("items", "采购项目数量", "int"), ("amount", "采购总金额", "amount")],
            [("procurement", "政府集中采购")],
        ),
    ],
    "2021": [
        Block(
            "第二十条第（一）项",
            [
                ("issued", "本年制发件数", "int"),
                ("repealed", "本年废止件数", "int"),
                ("in_force", "现行有效件数", "int"),
            ],
            [("rules", "规章"), ("normative_documents", "行政规范性文件")],
        ),
        Block(
            "第二十条第（五）项",
            [("decisions", "本年处理决定数量", "int")],
            [("licensing", "行政许可")],
        ),
        Block(
            "第二十条第（六）项",
            [("decisions", "本年处理决定数量", "int")],
            [("penalties", "行政处罚"), ("enforcement", "行政强制")],
        ),
        Block(
            "第二十条第（八）项",
            [("amount", "本年收费金额（单位：万元）", "amount")],
            [("fees", "行政事业性收费")],
        ),
    ],
}


def table2_fields(format_version: str) -> list[tuple[str, str, str]]:
    """Every field (name, label, kind) of table two in a format."""
    return [
        (f"{row}__{column}", f"{block.title} {row_label} {column_label}", kind)
        for block in TABLE2_BLOCKS[format_version]
        for row, row_label in block.rows
        for column, column_label, kind in block.columns
    ]
