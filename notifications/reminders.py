"""The morning reminders (Celery beat, every working day): one digest per handler of the cases
due within REMINDER_DUE_SOON_DAYS working days and those overdue; approvers' waiting items;
supervisors' units with overdue cases; escalation of a case overdue by ESCALATION_OVERDUE_DAYS
working days to the supervisors above its agency. Every message carries a dedupe key naming
the day (or, for escalations, the case and its due date), so running the task twice in a day
sends nothing the second time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from agencies.models import Membership, Role
from agencies.selectors import agency_subtree_ids
from requests_app.models import OPEN_STATES, Case
from requests_app.selectors import agency_unit_counts, case_approval_queue
from requests_app.timeliness import due_soon_limit, due_soon_q, overdue_q
from workcalendar.selectors import calendar_get

from .services import notify_user

WORKLIST_LINK = "/worklist/"


def _status_text(case: Case, today: dt.date, calendar) -> str:
    if case.reply_due < today:
        return f"已逾期 {calendar.working_days_between(case.reply_due, today)} 个工作日"
    return f"剩 {calendar.working_days_between(today, case.reply_due)} 个工作日"


def digest_cases(today: dt.date, *, calendar=None) -> dict[int, list[Case]]:
    """Per handler id: the open cases due within the configured working days (counted on the
    work calendar, holidays skipped) or overdue, earliest first — overdue and due soon as
    requests_app/timeliness.py defines them (a stopped clock whose deadline ran out before the
    stop is overdue too; a stopped clock is never "due soon", as on the worklist badge)."""
    calendar = calendar or calendar_get(covering=today + dt.timedelta(days=90))
    limit = due_soon_limit(today, settings.REMINDER_DUE_SOON_DAYS, calendar)
    cases = (
        Case.objects.filter(
            overdue_q(today) | (due_soon_q(today, limit) & Q(clock_stopped=False)),
            handler__isnull=False,
        )
        .select_related("agency")
        .order_by("reply_due", "id")
    )
    grouped: dict[int, list[Case]] = defaultdict(list)
    for case in cases:
        grouped[case.handler_id].append(case)
    return grouped


def handler_digests(today: dt.date, calendar) -> int:
    users = get_user_model().objects.in_bulk(list(digest_cases(today, calendar=calendar)))
    sent = 0
    for handler_id, cases in digest_cases(today, calendar=calendar).items():
        lines = [
            f"{c.case_no}  {c.agency.name}  答复期限 {c.reply_due:%Y-%m-%d}  "
            f"{_status_text(c, today, calendar)}"
            for c in cases
        ]
        overdue = sum(1 for c in cases if c.reply_due < today)
        notify_user(
            users[handler_id],
            kind="digest",
            subject=f"办理提醒（{today:%m月%d日}）：{len(cases)} 件临近期限或逾期"
            + (f"，其中逾期 {overdue} 件" if overdue else ""),
            body="\n".join(lines),
            link=WORKLIST_LINK,
            dedupe_key=f"digest:{today.isoformat()}",
        )
        sent += 1
    return sent


def approver_reminders(today: dt.date) -> int:
    sent = 0
    approvers = get_user_model().objects.filter(memberships__role=Role.APPROVER).distinct()
    for user in approvers:
        replies, extensions = case_approval_queue(user)
        n_replies, n_ext = replies.count(), extensions.count()
        if not (n_replies or n_ext):
            continue
        notify_user(
            user,
            kind="approvals",
            subject=f"待审核：答复 {n_replies} 件，延期申请 {n_ext} 件",
            body="\n".join(f"{c.case_no}  {c.agency.name}" for c in [*replies, *extensions]),
            link="/approvals/",
            dedupe_key=f"approvals:{today.isoformat()}",
        )
        sent += 1
    return sent


def supervisor_reminders(today: dt.date) -> int:
    sent = 0
    supervisors = get_user_model().objects.filter(memberships__role=Role.SUPERVISOR).distinct()
    for user in supervisors:
        units = [u for u in agency_unit_counts(user, today=today) if u["overdue"]]
        if not units:
            continue
        notify_user(
            user,
            kind="supervision",
            subject=f"逾期提醒：{len(units)} 个单位有逾期未办结的申请",
            body="\n".join(f"{u['agency'].name}：逾期 {u['overdue']} 件" for u in units),
            link="/supervision/",
            dedupe_key=f"supervision:{today.isoformat()}",
        )
        sent += 1
    return sent


def escalations(today: dt.date, calendar) -> int:
    """A case overdue by at least ESCALATION_OVERDUE_DAYS working days goes to every supervisor
    whose subtree holds its agency, once per case and due date."""
    overdue = Case.objects.filter(
        state__in=OPEN_STATES, clock_stopped=False, reply_due__lt=today
    ).select_related("agency", "handler")
    supervisors = list(Membership.objects.filter(role=Role.SUPERVISOR).select_related("user"))
    reach = {m.pk: agency_subtree_ids(m.agency_id) for m in supervisors}
    sent = 0
    for case in overdue:
        late = calendar.working_days_between(case.reply_due, today)
        if late < settings.ESCALATION_OVERDUE_DAYS:
            continue
        for membership in supervisors:
            if case.agency_id not in reach[membership.pk]:
                continue
            notify_user(
                membership.user,
                kind="escalation",
                subject=f"逾期督办：{case.agency.name} {case.case_no} 已逾期 {late} 个工作日",
                body=(
                    f"答复期限 {case.reply_due:%Y-%m-%d}，承办人"
                    f"{case.handler.get_full_name() or case.handler.username if case.handler else '未指定'}。"
                ),
                link=f"/cases/{case.public_id}/",
                dedupe_key=f"escalation:{case.pk}:{case.reply_due.isoformat()}",
            )
            sent += 1
    return sent


def morning_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Everything of the morning, on working days only (weekends and holidays are skipped)."""
    today = today or timezone.localdate()
    calendar = calendar_get(covering=today + dt.timedelta(days=90))
    if not calendar.is_workday(today):
        return {"skipped": 1}
    return {
        "digests": handler_digests(today, calendar),
        "approvals": approver_reminders(today),
        "supervision": supervisor_reminders(today),
        "escalations": escalations(today, calendar),
    }
