"""Forms of the report pages: table two (fields follow the year's format) with the staff-written
sections, and review/litigation records."""

from django import forms

from common import limits
from requests_app.models import ChallengeKind, ChallengeResult

from .table2 import TABLE2_BLOCKS


class SectionsForm(forms.Form):
    overview = forms.CharField(
        label="一、总体情况", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    problems = forms.CharField(
        label="五、存在的主要问题及改进情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    other_matters = forms.CharField(
        label="六、其他需要报告的事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="信息处理费收取情况由系统按缴费记录自动写入第六部分。",
    )

    def __init__(self, *args, format_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.format_version = format_version
        self.blocks = []
        for block in TABLE2_BLOCKS[format_version]:
            rows = []
            for row, row_label in block.rows:
                cells = []
                for column, column_label, kind in block.columns:
                    name = f"{row}__{column}"
                    label = f"{block.title} {row_label} {column_label}"
                    if kind == "amount":
                        field = forms.DecimalField(
                            label=label,
                            required=False,
                            min_value=0,
                            decimal_places=2,
                            max_digits=14,
                            error_messages={
                                "invalid": f"{label}：请填写金额",
                                "min_value": f"{label}：不能为负数",
                                "max_decimal_places": f"{label}：最多两位小数",
                            },
                        )
                    else:
                        field = forms.IntegerField(
                            label=label,
                            required=False,
                            min_value=None if kind == "signed" else 0,
                            error_messages={
                                "invalid": f"{label}：请填写整数",
                                "min_value": f"{label}：不能为负数",
                            },
                        )
                    field.widget.attrs.update(
                        {"inputmode": "decimal", "class": "num", "aria-label": label}
                    )
                    self.fields[name] = field
                    cells.append(name)
                rows.append((row_label, cells))
            self.blocks.append(
                {"title": block.title, "columns": [c[1] for c in block.columns], "rows": rows}
            )

    def block_rows(self):
        """Blocks with bound fields, for the template."""
        return [
            {
                "title": block["title"],
                "columns": block["columns"],
                "rows": [(label, [self[name] for name in cells]) for label, cells in block["rows"]],
            }
            for block in self.blocks
        ]

    def table2_values(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in ("overview", "problems", "other_matters")
        }


class ChallengeForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ChallengeKind.choices)
    filed_on = limits.form_event_date(label="申请/起诉日期")
    result = forms.ChoiceField(
        label="结果", choices=ChallengeResult.choices, initial=ChallengeResult.PENDING
    )
    concluded_on = limits.form_event_date(label="审结日期", required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
