"""Chasing: reminders to a unit's supervisor and approver 10, 5 and 1 working days before its
publication deadline (31 January; a supervising office's consolidated report: 31 March) while
the report is unpublished or its draft has problems; and the units past their deadline, listed
in the monthly circular (through reporting's circular hook).

Every reminder goes through `deliver_reminder`, the one adapter the coordinator points at
`notifications.services.notify_user` once that exists; until then it sends with send_mail and
keeps its own record (ReminderSent) so that a dedupe key never reaches a user twice."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse

from agencies.models import Agency, Membership, Role
from notifications.services import notify_user
from reporting.models import PublishedReport
from reporting.services import publication_due
from workcalendar.selectors import calendar_get

from .drafts import supervising_agency_ids
from .models import Draft, ReminderSent

REMIND_AT = (10, 5, 1)  # working days before the deadline
CIRCULAR_MONTHS = (2, 3)  # the circulars that list units late with their annual report


def deliver_reminder(user, subject: str, body: str, dedupe_key: str, link: str = "") -> bool:
    """Send one reminder to one user, at most once per dedupe key, through the notifications
    (in the user's in-app list, and by e-mail unless the user chose in-app only; a notification
    row per channel, retried when sending fails). True when sent now."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(dedupe_key=dedupe_key, user=user, subject=subject[:200])
    except IntegrityError:
        return False
    notify_user(
        user, kind="season_reminder", subject=subject, body=body, link=link, dedupe_key=dedupe_key
    )
    return True


def _ancestors(parents: dict[int, int | None], agency_id: int) -> list[int]:
    chain, seen, current = [], set(), agency_id
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(current)
        current = parents.get(current)
    return chain


def recipients(agency_id: int, parents: dict, memberships: dict) -> list:
    """The unit's approvers and the supervisors of the nearest supervising office above it
    (the unit itself included)."""
    users = list(memberships.get((agency_id, Role.APPROVER), []))
    for ancestor in _ancestors(parents, agency_id):
        supervisors = memberships.get((ancestor, Role.SUPERVISOR))
        if supervisors:
            users.extend(supervisors)
            break
    unique = {user.id: user for user in users}
    return list(unique.values())


def reminders_send(year: int, today: dt.date) -> dict:
    """Send the reminders due today. Returns {"units": n reminded, "sent": n deliveries}."""
    summary = {"units": 0, "sent": 0}
    work = calendar_get(covering=dt.date(year + 1, 4, 30))
    targets = []
    for consolidated in (False, True):
        due = publication_due(year, consolidated)
        left = work.working_days_between(today, due)
        if today <= due and left in REMIND_AT:
            targets.append((consolidated, due, left))
    if not targets:
        return summary
    parents = dict(Agency.objects.values_list("id", "parent_id"))
    names = dict(Agency.objects.values_list("id", "name"))
    codes = dict(Agency.objects.values_list("id", "code"))
    memberships: dict = {}
    for membership in Membership.objects.filter(
        role__in=[Role.APPROVER, Role.SUPERVISOR]
    ).select_related("user"):
        if membership.user.is_active:
            memberships.setdefault((membership.agency_id, membership.role), []).append(
                membership.user
            )
    supervising = supervising_agency_ids()
    for consolidated, due, left in targets:
        published = set(
            PublishedReport.objects.filter(year=year, consolidated=consolidated).values_list(
                "agency_id", flat=True
            )
        )
        problems = set(
            Draft.objects.filter(year=year, consolidated=consolidated, clean=False).values_list(
                "agency_id", flat=True
            )
        )
        units = supervising if consolidated else set(parents)
        for agency_id in sorted(units):
            reasons = []
            if agency_id not in published:
                reasons.append("尚未发布")
            if agency_id in problems:
                reasons.append("草稿存在问题")
            if not reasons:
                continue
            kind = "汇总年度报告" if consolidated else "年度报告"
            subject = f"{names[agency_id]}{year}年{kind}：距发布期限还有{left}个工作日"
            body = (
                f"{names[agency_id]}{year}年政府信息公开工作{kind}应于{due:%Y年%m月%d日}前发布，"
                f"目前{'、'.join(reasons)}。距期限还有{left}个工作日，请及时处理。\n"
                f"问题清单：{reverse('season:unit', args=[codes[agency_id], year])}"
            )
            key = f"season:{year}:{agency_id}:{int(consolidated)}:{left}"
            link = reverse("season:unit", args=[codes[agency_id], year])
            sent = [
                deliver_reminder(user, subject, body, key, link)
                for user in recipients(agency_id, parents, memberships)
            ]
            if any(sent):
                summary["units"] += 1
            summary["sent"] += sum(sent)
    return summary


def circular_rows_mark_overdue(agency: Agency, year: int, month: int, rows_by_unit: dict) -> None:
    """Circular hook: in the circulars of the season's months after the deadline (February and
    March), mark each unit whose previous-year annual report is past its deadline (31 January)
    and still unpublished at the month's end. Later circulars are about the year's cases again
    (a unit that never published stays on the season dashboard)."""
    if month not in CIRCULAR_MONTHS:
        return
    end = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    report_year = year - 1
    if end <= publication_due(report_year, False):
        return
    published = set(
        PublishedReport.objects.filter(
            year=report_year,
            consolidated=False,
            agency_id__in=list(rows_by_unit),
            published_at__date__lte=end,
        ).values_list("agency_id", flat=True)
    )
    for unit_id, row in rows_by_unit.items():
        if unit_id not in published:
            row["report_overdue"] = report_year
