"""The actions a user can take on a case, with the inputs each needs: one registry used by
the admin, the web pages and the API, so that no caller re-implements a transition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from agencies.selectors import user_roles
from common import limits

from . import rules
from .models import Case, ClockEvent
from .outcomes import Outcome
from .services import cases as services

DECISION_OUTCOMES = [
    (key, label)
    for key, label in Outcome.choices
    if key not in ("other.no_supplement", "other.fee_unpaid")
]


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str  # date | text | textarea | outcome | int | decimal
    required: bool = True
    help: str = ""
    # Where the value is stored (model, column): its limits come from there (common.limits).
    column: tuple[type, str] | None = None
    planned: bool = False  # a date ahead (a deadline), not the date of something that happened

    def max_length(self) -> int | None:
        """The stored column's length; a party's name is kept in the clock note as 征求…意见."""
        if self.column is None:
            return None
        limit = limits.max_length(*self.column)
        return limit - len("征求意见") if limit and self.name == "party" else limit


@dataclass(frozen=True)
class Action:
    name: str
    service: Callable[..., Case]
    params: tuple[Param, ...] = ()
    reason: str = "optional"  # optional | required | none
    style: str = "primary"
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return rules.TRANSITION_LABELS[self.name]


ON = Param("on", "日期", "date", required=False, help="默认为今天")
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("start_drafting", services.case_start_drafting),
        Action(
            "request_supplement",
            services.case_request_supplement,
            (
                Param("missing", "需补正的事项", "textarea", help="一次性写明需要补正的全部内容"),
                Param("due", "补正期限", "date", planned=True),
                ON,
            ),
        ),
        Action(
            "record_supplement",
            services.case_record_supplement,
            (Param("on", "收到补正材料日期", "date", required=False),),
        ),
        Action("deem_abandoned", services.case_deem_abandoned, (ON,), style="danger"),
        Action(
            "start_consultation",
            services.case_start_consultation,
            (
                Param("party", "征求意见对象", "text", column=(ClockEvent, "note")),
                ON,
            ),
        ),
        Action("finish_consultation", services.case_finish_consultation, (ON,)),
        Action(
            "issue_fee_notice",
            services.case_issue_fee_notice,
            (
                Param("amount", "收费金额（元）", "decimal", column=(Case, "fee_amount")),
                Param("on", "发出日期", "date", required=False, help="默认为今天；计时自该日中止"),
                Param(
                    "received_on",
                    "申请人收到通知日期",
                    "date",
                    required=False,
                    help="默认为发出日期；缴费期限自次日起算20个工作日",
                ),
            ),
        ),
        Action(
            "record_fee_payment",
            services.case_record_fee_payment,
            (
                Param("receipt_no", "财政票据号", "text", column=(Case, "fee_receipt_no")),
                ON,
            ),
        ),
        Action("close_fee_unpaid", services.case_close_fee_unpaid, (ON,), style="danger"),
        Action(
            "submit_for_approval",
            services.case_submit_for_approval,
            (Param("outcome", "拟办结果", "outcome"),),
        ),
        Action(
            "return_for_revision",
            services.case_return_for_revision,
            reason="required",
            style="secondary",
        ),
        Action(
            "approve_and_close",
            services.case_approve_and_close,
            (
                Param("outcome", "办理结果", "outcome", required=False, help="不选则采用拟办结果"),
                Param("on", "答复日期", "date", required=False),
            ),
        ),
        Action(
            "answer_on_the_spot",
            services.case_answer_on_the_spot,
            (
                Param("outcome", "办理结果", "outcome"),
                Param("note", "当场答复方式", "text", column=(Case, "on_the_spot_note")),
            ),
        ),
        Action(
            "request_extension",
            services.case_request_extension,
            (Param("days", "延期工作日数", "int", help="最多20个工作日"),),
            reason="required",
        ),
        Action("approve_extension", services.case_approve_extension),
        Action(
            "refuse_extension", services.case_refuse_extension, reason="required", style="secondary"
        ),
        Action(
            "defer_reply",
            services.case_defer_reply,
            (
                Param(
                    "until",
                    "延迟答复期限",
                    "date",
                    help="申请数量、频次明显超过合理范围，申请人说明的理由合理但无法按期答复时，"
                    "确定的合理答复日期（须晚于当前答复期限）",
                    planned=True,
                ),
            ),
            reason="required",
        ),
        Action("withdraw", services.case_withdraw, (ON,), reason="required", style="secondary"),
        Action("void", services.case_void, reason="required", style="danger"),
    ]
}


def actions_available(case: Case, user) -> list[Action]:
    """The actions the workflow and the user's role allow now (guards included)."""
    roles = user_roles(user, case.agency_id)
    return [
        action
        for action in ACTIONS.values()
        if roles & rules.TRANSITION_ROLES[action.name] and can_proceed(getattr(case, action.name))
    ]


def action_form_class(action: Action) -> type[forms.Form]:
    """A Django form for the action's inputs plus the reason and the version seen."""
    fields: dict[str, forms.Field] = {}
    for param in action.params:
        common = {
            "label": _(param.label),  # the catalogue translates labels defined here too
            "required": param.required,
            "help_text": _(param.help) if param.help else "",
        }
        if param.kind == "date":
            date_field = limits.form_planned_date if param.planned else limits.form_event_date
            fields[param.name] = date_field(**common)
        elif param.kind == "textarea":
            fields[param.name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        elif param.kind == "outcome":
            fields[param.name] = forms.ChoiceField(
                choices=[("", _("——请选择——")), *DECISION_OUTCOMES], **common
            )
        elif param.kind == "int":
            fields[param.name] = forms.IntegerField(
                min_value=1, max_value=rules.MAX_EXTENSION_DAYS, **common
            )
        elif param.kind == "decimal":
            fields[param.name] = limits.form_decimal(*param.column, **common)
        else:
            fields[param.name] = forms.CharField(max_length=param.max_length(), **common)
    if action.reason != "none":
        fields["reason"] = forms.CharField(
            label=_("理由/说明"),
            required=action.reason == "required",
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput)
    return type(f"{action.name.title()}Form", (forms.Form,), fields)


def action_run(action: Action, *, case: Case, by, values: dict) -> Case:
    """Call the action's service with cleaned form values (empty optional values dropped)."""
    kwargs = {k: v for k, v in values.items() if v not in (None, "")}
    if action.reason != "none":
        kwargs.setdefault("reason", "")
    return action.service(case_id=case.id, by=by, **kwargs)
