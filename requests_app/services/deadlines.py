"""Reply deadlines derived from a case's clock events and the calendar as it stands.

A due date is never typed or frozen: `deadline_compute` derives it from the events (receipt,
restart after supplement, pause, resume, approved extension, Art. 35 deferral); `Case.reply_due` only caches the
result so that worklists can sort and filter, and every calendar change recomputes it (with a
history row for each case whose date moved)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from workcalendar.engine import WEEKDAY_NAMES, WorkingCalendar
from workcalendar.selectors import calendar_get
from workcalendar.statutory import STATUTORY_RULE_NAME

from ..history import history_copy_deadline_changes, history_event, history_write_many
from ..models import OPEN_STATES, Case, Channel, ClockEvent, ClockKind, EventKind
from ..rules import REPLY_WORKING_DAYS
from .bulk import bulk_set, bulk_set_if_current

RECEIPT_RULES = {
    Channel.IN_PERSON: "当面提交，以提交之日为收到申请之日（条例第三十一条第一项）",
    Channel.MAIL_SIGNED: "以需签收的邮寄方式提交，以行政机关签收之日为收到申请之日（条例第三十一条第二项）",
    Channel.MAIL_ORDINARY: (
        "以平常信函提交，信件到达当日与申请人确认，以确认之日为收到申请之日（条例第三十一条第二项）"
    ),
    Channel.ONLINE: "通过互联网渠道提交，以双方确认之日为收到申请之日（条例第三十一条第三项）",
    Channel.EMAIL: "通过电子邮件提交，以双方确认之日为收到申请之日（条例第三十一条第三项）",
    Channel.FAX: "通过传真提交，以双方确认之日为收到申请之日（条例第三十一条第三项）",
}


@dataclass(frozen=True)
class ClockFact:
    kind: str
    on: dt.date
    days: int = 0
    note: str = ""
    until: dt.date | None = None


@dataclass
class Deadline:
    due: dt.date | None
    provisional: bool
    stopped: bool
    budget: int
    used: int
    steps: list[str] = field(default_factory=list)

    @property
    def remaining_budget(self) -> int:
        return self.budget - self.used

    def as_dict(self) -> dict:
        return {
            "reply_due": self.due.isoformat() if self.due else None,
            "provisional": self.provisional,
            "clock_stopped": self.stopped,
            "working_days_allowed": self.budget,
            "working_days_used": self.used,
            "steps": list(self.steps),
        }


def _fmt(day: dt.date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


def _ranges(days: Sequence[tuple[dt.date, str]]) -> list[str]:
    """Group consecutive days with the same name: '2026-10-01 至 2026-10-08 国庆节'."""
    groups: list[list] = []
    for day, name in days:
        if groups and (day - groups[-1][1]).days == 1 and groups[-1][2] == name:
            groups[-1][1] = day
        else:
            groups.append([day, day, name])
    return [
        f"{a.isoformat()}{'' if a == b else ' 至 ' + b.isoformat()} {name}" for a, b, name in groups
    ]


def deadline_compute(
    facts: Iterable[ClockFact],
    calendar: WorkingCalendar,
    *,
    channel: str | None = None,
    explain: bool = False,
    today: dt.date | None = None,
) -> Deadline:
    """Derive the reply deadline; O(number of events) with the calendar's ordinal index.

    The receipt (or restart) day is not counted; a pause counts its own day and excludes the
    working days up to and including the resume day; an approved extension adds its days.

    A deferral (Art. 35: the applicant's reasons for a request far beyond a reasonable amount are
    accepted, but it cannot be answered within Art. 33's period) fixes the reply date at its
    `until` when that is later than the computed one: while the clock runs, due = max(computed,
    until), and such a due is a fixed date (never provisional). A pause after it still stops the
    clock as it does today; a restart (receipt of a supplement) starts afresh without it."""
    # Same-day events keep the order in which they were recorded (callers pass them in that
    # order): a supplement asked and received on one day is a pause, then a restart.
    facts = sorted(facts, key=lambda f: f.on)
    steps: list[str] = []
    start: dt.date | None = None
    segment_start: dt.date | None = None
    paused_on: dt.date | None = None
    budget = REPLY_WORKING_DAYS
    used = 0
    ran_out_on: dt.date | None = None
    counted: list[tuple[dt.date, dt.date]] = []
    deferred_until: dt.date | None = None

    for fact in facts:
        if fact.kind in (ClockKind.RECEIPT, ClockKind.RESTART):
            start = segment_start = fact.on
            used, paused_on, ran_out_on, counted = 0, None, None, []
            deferred_until = None
            if explain:
                if fact.kind == ClockKind.RECEIPT:
                    rule = RECEIPT_RULES.get(channel, "收到申请之日") if channel else "收到申请之日"
                    steps.append(f"收到申请之日：{_fmt(fact.on)}。{rule}。")
                    if fact.note:
                        steps.append(f"{fact.note}。")
                else:
                    steps.append(
                        f"{_fmt(fact.on)} 收到补正后的申请，答复期限自该日重新起算（条例第三十条）。"
                    )
                if not calendar.is_workday(fact.on):
                    steps.append("收到之日为休息日，同样不计入，从其后第一个工作日起计算。")
                else:
                    steps.append("收到之日不计入，自次日起计算。")
        elif start is None:
            continue
        elif fact.kind == ClockKind.PAUSE and paused_on is None and segment_start is not None:
            in_segment = calendar.working_days_between(segment_start, fact.on)
            if used < budget <= used + in_segment:
                ran_out_on = calendar.add_working_days(segment_start, budget - used)
            used += in_segment
            counted.append((segment_start, fact.on))
            paused_on, segment_start = fact.on, None
            if explain:
                steps.append(
                    f"{_fmt(fact.on)} 中止计时（{fact.note or '征求意见或等待缴费'}），此前已用 {used} 个工作日。"
                )
        elif fact.kind == ClockKind.RESUME and paused_on is not None:
            skipped = calendar.working_days_between(paused_on, fact.on)
            if explain:
                steps.append(
                    f"{_fmt(fact.on)} 恢复计时（{fact.note or '意见收回或已缴费'}），"
                    f"中止期间 {skipped} 个工作日不计入（条例第三十三条第三款）。"
                )
            paused_on, segment_start = None, fact.on
        elif fact.kind == ClockKind.EXTENSION:
            budget += fact.days
            if explain:
                steps.append(
                    f"{_fmt(fact.on)} 经政府信息公开工作机构负责人同意延期 {fact.days} 个工作日"
                    f"（条例第三十三条第二款），可用期限共 {budget} 个工作日。"
                )
        elif fact.kind == ClockKind.DEFERRAL and fact.until is not None:
            deferred_until = max(deferred_until or fact.until, fact.until)
            if explain:
                steps.append(
                    f"{_fmt(fact.on)} 依条例第三十五条确定延迟答复的合理期限至 {_fmt(fact.until)}"
                    "（申请人说明的理由合理，但无法在第三十三条规定的期限内答复）。"
                )

    if start is None:
        return Deadline(None, False, False, budget, 0, ["尚无收到申请的日期，无法计算期限。"])

    if paused_on is not None:
        due = ran_out_on
        stopped = True
        provisional = calendar.provisional_between(start, today or paused_on)
        if explain:
            steps.append(
                f"计时中止中：尚余 {max(budget - used, 0)} 个工作日，恢复计时后从恢复之日次日起继续计算。"
            )
    else:
        stopped = False
        assert segment_start is not None
        if used >= budget and ran_out_on is not None:
            due = ran_out_on
        else:
            due = calendar.add_working_days(segment_start, budget - used)
            counted.append((segment_start, due))
        provisional = calendar.provisional_between(start, due)

    if explain and due is not None:
        off = [d for a, b in counted for d in calendar.days_off_between(a, min(b, due))]
        makeup = [d for a, b in counted for d in calendar.makeup_workdays_between(a, min(b, due))]
        holidays = [(d, n) for d, n in off if not n.startswith("周")]
        weekends = [d for d, n in off if n.startswith("周")]
        if holidays:
            steps.append("跳过法定节假日：" + "；".join(_ranges(holidays)) + "。")
        if weekends:
            steps.append(f"跳过周末 {len(weekends)} 天。")
        if makeup:
            steps.append(
                "调休上班日照常计入："
                + "；".join(f"{_fmt(d)}（{n}调休）" if n else _fmt(d) for d, n in makeup)
                + "。"
            )
        steps.append(f"共计 {budget} 个工作日，答复期限为 {_fmt(due)}。")
    if not stopped and due is not None and deferred_until is not None and deferred_until > due:
        due, provisional = deferred_until, False
        if explain:
            steps.append(
                f"依条例第三十五条确定的延迟答复期限晚于上述期限，答复期限为 {_fmt(due)}。"
            )
    if explain and provisional:
        end = due or today or start
        unknown = sorted(y for y in range(start.year, end.year + 1) if not calendar.is_official(y))
        assumed = calendar.assumed_holidays_between(start, end)
        within = (
            "本期限内假定放假：" + "；".join(_ranges(assumed))
            if assumed
            else "本期限内没有法定节假日"
        )
        steps.append(
            f"{'、'.join(str(y) for y in unknown)} 年的官方节假日安排尚未录入，暂按周末和"
            f"{STATUTORY_RULE_NAME}规定的法定节假日计算（{within}）；"
            "调休上班日尚未公布，期限为暂定，录入官方安排后自动重新计算。"
        )
    return Deadline(due, provisional, stopped, budget, min(used, budget), steps)


def case_clock_facts(case: Case) -> list[ClockFact]:
    events = case.clock_events.order_by("on", "id")
    return [ClockFact(e.kind, e.on, e.days, e.note, e.until) for e in events]


def case_deadline(case: Case, *, explain: bool = True) -> Deadline:
    """The case's deadline with its explanation, for pages and the API."""
    facts = case_clock_facts(case)
    latest = max((f.on for f in facts), default=case.received_on)
    calendar = calendar_get(covering=latest + dt.timedelta(days=400))
    return deadline_compute(
        facts, calendar, channel=case.channel, explain=explain, today=timezone.localdate()
    )


def case_deadline_refresh(case: Case) -> Deadline:
    """Recompute and store the cached deadline fields (within the caller's transaction)."""
    deadline = case_deadline(case, explain=False)
    case.reply_due, case.deadline_provisional = deadline.due, deadline.provisional
    case.clock_stopped = deadline.stopped if case.is_open else False
    return deadline


def case_deadlines_recompute_open(
    *, by=None, reason: str = "日历变更", batch_size: int = 5000
) -> int:
    """Recompute every open case's deadline with the calendar as it stands now.

    Reads cases and clock events in two ordered streams (no model instances), computes in
    memory, then writes only the cases whose due date or provisional flag moved: each batch
    locks those rows, skips any whose version changed meanwhile (a transition that ran during
    the recompute already used the current calendar), bulk-updates the rest and writes one
    `deadline_changed` history row each. Returns the number of cases whose deadline changed."""
    today = timezone.localdate()
    calendar = calendar_get(covering=today + dt.timedelta(days=800))
    cases = (
        Case.objects.filter(state__in=OPEN_STATES)
        .order_by("id")
        .values_list("id", "reply_due", "deadline_provisional", "clock_stopped", "version")
    )
    events = (
        ClockEvent.objects.filter(case__state__in=OPEN_STATES)
        .order_by("case_id", "on", "id")
        .values_list("case_id", "kind", "on", "days", "note", "until")
    )
    event_stream = iter(events.iterator(chunk_size=20_000))
    pending = next(event_stream, None)
    moved: list[tuple[int, int, Deadline, tuple]] = []
    for case_id, reply_due, provisional, stopped, version in cases.iterator(chunk_size=20_000):
        facts = []
        while pending is not None and pending[0] <= case_id:
            if pending[0] == case_id:
                facts.append(ClockFact(*pending[1:]))
            pending = next(event_stream, None)
        deadline = deadline_compute(facts, calendar, today=today)
        if (deadline.due, deadline.provisional, deadline.stopped) != (
            reply_due,
            provisional,
            stopped,
        ):
            moved.append((case_id, version, deadline, (reply_due, provisional)))
    if connection.vendor == "postgresql":
        return _apply_moved_at_once(moved, by=by, reason=reason)
    changed_total = 0
    for i in range(0, len(moved), batch_size):
        changed_total += _apply_moved(moved[i : i + batch_size], by=by, reason=reason)
    return changed_total


def _apply_moved_at_once(moved, *, by, reason: str) -> int:
    """PostgreSQL, one transaction: one `UPDATE … FROM unnest(…)` writes every moved deadline
    whose case still has the version read (a transition that ran meanwhile already used the
    current calendar, so it is left alone), then COPY writes one `deadline_changed` history
    row per case whose due date or provisional flag moved."""
    with transaction.atomic():
        written = bulk_set_if_current(
            Case,
            ["reply_due", "deadline_provisional", "clock_stopped"],
            [
                (case_id, version, d.due, d.provisional, d.stopped)
                for case_id, version, d, _ in moved
            ],
            states=OPEN_STATES,
        )
        return history_copy_deadline_changes(
            (
                (
                    case_id,
                    {
                        "reply_due": [_iso(old_due), _iso(deadline.due)],
                        "deadline_provisional": [old_provisional, deadline.provisional],
                    },
                )
                for case_id, _, deadline, (old_due, old_provisional) in moved
                if case_id in written
                and (old_due, old_provisional) != (deadline.due, deadline.provisional)
            ),
            by=by,
            reason=reason,
            at=timezone.now(),
        )


def _apply_moved(batch, *, by, reason: str) -> int:
    with transaction.atomic():
        current = dict(
            Case.objects.select_for_update()
            .filter(id__in=[case_id for case_id, *_ in batch], state__in=OPEN_STATES)
            .values_list("id", "version")
        )
        rows, history = [], []
        for case_id, version, deadline, (old_due, old_provisional) in batch:
            if current.get(case_id) != version:
                continue
            rows.append((case_id, deadline.due, deadline.provisional, deadline.stopped))
            if (old_due, old_provisional) != (deadline.due, deadline.provisional):
                history.append(
                    history_event(
                        case_id=case_id,
                        kind=EventKind.DEADLINE_CHANGED,
                        by=by,
                        reason=reason,
                        changes={
                            "reply_due": [_iso(old_due), _iso(deadline.due)],
                            "deadline_provisional": [old_provisional, deadline.provisional],
                        },
                    )
                )
        bulk_set(Case, ["reply_due", "deadline_provisional", "clock_stopped"], rows)
        history_write_many(history, batch_size=1000)
    return len(history)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
