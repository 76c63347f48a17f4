"""The case page: the request as received, the deadline, the history, the attachments and
the actions the user may take now (each a form run through `actions.action_run`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.selectors import user_has_role, user_roles
from common.downloads import download_name, file_download
from common.net import client_address
from security.events import security_event_record
from security.kinds import SecurityEventKind
from workcalendar.selectors import calendar_get

from .. import rules
from ..actions import ACTIONS, action_form_class, action_run, actions_available
from ..forms import CHANNEL_FIELDS, AttachmentForm, CaseEditForm, RegistrationDatesForm
from ..hooks import issued_reply_check
from ..models import (
    Attachment,
    CaseState,
    Channel,
    EventKind,
    ExtensionState,
    PersonalDataChannel,
)
from ..rules import RuleViolation
from ..selectors import case_events, case_get_for_user, case_repeat_flags
from ..services.attachments import AttachmentInvalid, attachment_add
from ..services.cases import (
    MSG_CORRECTION_AFTER_LETTER,
    MSG_CORRECTION_CLOSED,
    CaseConflict,
    case_assign,
    case_correct_registration,
    case_update,
)
from ..services.deadlines import case_deadline
from ..services.intake import IntakeInvalid
from ..services.personal_data import personal_data_reveal
from ..timeliness import DUE_SOON_WORKING_DAYS, is_overdue
from .access import EDIT_ROLES

MSG_RELOAD = "案件已被他人修改或状态已变化，请刷新页面查看最新情况后再操作。"


def conflict_message(exc: CaseConflict) -> str:
    """A conflict always asks to reload (stale version or a state that moved on)."""
    return exc.message if "刷新" in exc.message else f"{exc.message}。{MSG_RELOAD}"


_conflict_message = conflict_message


def action_form(case, action, data=None) -> dict:
    """An action's form for one case: the field names carry the action (the prefix), the
    element ids also the case, so that two cases' forms on one page never share an id."""
    form = action_form_class(action)(
        data,
        prefix=action.name,
        auto_id=f"id_c{case.pk}_%s",
        initial={"expected_version": case.version},
    )
    return {"action": action, "form": form}


def deadline_banner(case, deadline, today: dt.date) -> dict:
    """What the banner says: working days left (or overdue), extension, provisional, stopped."""
    banner = {
        "due": deadline.due,
        "provisional": deadline.provisional,
        "stopped": deadline.stopped,
        "budget": deadline.budget,
        "used": deadline.used,
        "remaining_budget": deadline.remaining_budget,
        "extended": case.extension_state == ExtensionState.APPROVED,
        "extension_requested": case.extension_state == ExtensionState.REQUESTED,
        "extension_days": case.extension_days,
        "open": case.is_open,
        "left": None,
        "overdue_by": None,
        "level": "ok",
    }
    overdue = case.is_open and is_overdue(
        state=case.state, reply_due=deadline.due, closed_on=None, today=today
    )  # a deadline that ran out before the clock stopped stays overdue (requests_app/timeliness.py)
    if overdue or (case.is_open and deadline.due and not deadline.stopped):
        calendar = calendar_get(covering=max(today, deadline.due) + dt.timedelta(days=30))
        if not overdue:
            banner["left"] = calendar.working_days_between(today, deadline.due)
            banner["level"] = "soon" if banner["left"] <= DUE_SOON_WORKING_DAYS else "ok"
        else:
            banner["overdue_by"] = calendar.working_days_between(deadline.due, today)
            banner["level"] = "overdue"
    elif deadline.stopped:
        banner["level"] = "stopped"
    return banner


MSG_REPLY_FIRST = "须先签发答复书：可在“待审核”页阅读答复书后一步完成审核、签发并办结"


def action_blocker(case, action: str, today: dt.date) -> str:
    """Why an action the workflow allows cannot succeed whatever is typed ('' if it can): the
    page shows it disabled with this reason instead of offering a form that must fail."""
    if action == "approve_and_close":
        try:
            issued_reply_check(case, case.proposed_outcome)
        except RuleViolation:
            return MSG_REPLY_FIRST
    if action == "answer_on_the_spot" and case.channel != Channel.IN_PERSON:
        return rules.MSG_ON_THE_SPOT
    if action == "deem_abandoned" and case.supplement_due and today <= case.supplement_due:
        return rules.MSG_SUPPLEMENT_NOT_DUE.format(due=case.supplement_due)
    if action == "close_fee_unpaid" and case.fee_payment_due and today <= case.fee_payment_due:
        return rules.MSG_FEE_NOT_DUE.format(due=case.fee_payment_due)
    if action == "request_supplement" and case.extension_state in (
        ExtensionState.REQUESTED,
        ExtensionState.APPROVED,
    ):
        return rules.MSG_SUPPLEMENT_AFTER_EXTENSION
    return ""


def _action_forms(case, user, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    today = timezone.localdate()
    entries = []
    for action in actions_available(case, user):
        entry = action_form(case, action)
        if action.name in bound:
            entry["form"] = bound[action.name]
        else:
            entry["blocked"] = action_blocker(case, action.name, today)
        entries.append(entry)
    return entries


def case_page_context(request, case, *, bound: dict | None = None, conflict: str = "") -> dict:
    today = timezone.localdate()
    deadline = case_deadline(case)
    roles = user_roles(request.user, case.agency_id)
    events = list(case_events(case))
    return {
        "case": case,
        "deadline": deadline,
        "banner": deadline_banner(case, deadline, today),
        "events": events,
        "edited": any(event.kind == EventKind.EDIT for event in events),
        "attachments": case.attachments.select_related("uploaded_by").order_by("uploaded_at"),
        "action_forms": _action_forms(case, request.user, bound),
        "repeats": case_repeat_flags(case),
        "can_edit": bool(roles & EDIT_ROLES) and case.state != CaseState.VOID,
        "assign": _assign_choices(case, request.user, roles),
        "conflict": conflict,
        "attachment_form": AttachmentForm(),
        "transition_labels": rules.TRANSITION_LABELS,
        "state_labels": dict(CaseState.choices),
    }


def _assign_choices(case, user, roles: set[str]) -> dict | None:
    """Who the user may make the case's handler: approvers any handler, handlers themselves
    while the case has none (or is already theirs)."""
    if not case.is_open:
        return None
    if Role.APPROVER in roles:
        handlers = (
            get_user_model()
            .objects.filter(memberships__agency_id=case.agency_id, memberships__role=Role.HANDLER)
            .order_by("username")
            .distinct()
        )
        return {"handlers": handlers, "take": False}
    if Role.HANDLER in roles and case.handler_id is None:
        return {"handlers": [], "take": True}
    return None


@login_required
@require_POST
def case_assign_view(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    try:
        handler_id = int(request.POST.get("handler", request.user.id))
        case_assign(
            case_id=case.id,
            by=request.user,
            handler_id=handler_id,
            reason=request.POST.get("reason", ""),
            expected_version=int(request.POST.get("expected_version", case.version)),
        )
    except ValueError:
        messages.error(request, "承办人无效")
    except CaseConflict as exc:
        messages.error(request, _conflict_message(exc))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已指定承办人")
    return redirect("requests_app:case_detail", public_id=case.public_id)


@login_required
def case_detail(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    return render(request, "requests_app/case_detail.html", case_page_context(request, case))


@login_required
@require_POST
def case_personal_data(request, public_id):
    """The case page with the applicant's full numbers, after recording who asked (the button
    "显示完整号码"; everywhere else they are masked)."""
    case = case_get_for_user(request.user, public_id=public_id)
    revealed = personal_data_reveal(
        case=case,
        by=request.user,
        address=client_address(request),
        channel=PersonalDataChannel.WEB,
    )
    context = case_page_context(request, case)
    context["revealed"] = revealed
    return render(request, "requests_app/case_detail.html", context)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return None


@login_required
@require_POST
def case_act(request, public_id, action: str):
    """Run one action; errors go next to their field (or at the top for a conflict)."""
    case = case_get_for_user(request.user, public_id=public_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("页面不存在")
    if not user_has_role(request.user, case.agency_id, rules.TRANSITION_ROLES[action]):
        security_event_record(
            SecurityEventKind.ACCESS_DENIED,
            request=request,
            object_type="agencies.agency",
            object_id=case.agency_id,
            details={"action": action, "case_id": case.id},
        )
        raise Http404("页面不存在")
    form = action_form(case, spec, request.POST)["form"]
    conflict = ""
    if form.is_valid():
        values = dict(form.cleaned_data)
        if values.get("expected_version") is None:
            values["expected_version"] = case.version
        try:
            action_run(spec, case=case, by=request.user, values=values)
        except CaseConflict as exc:
            conflict = _conflict_message(exc)
            form.add_error(None, conflict)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已完成：{spec.label}")
            target = _safe_next(request) or reverse(
                "requests_app:case_detail", args=[case.public_id]
            )
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    if request.htmx:
        return render(
            request,
            "requests_app/_action_form.html",
            {
                "case": case,
                "entry": {"action": spec, "form": form},
                "conflict": conflict,
                "next": _safe_next(request) or "",
            },
        )
    case.refresh_from_db()
    context = case_page_context(request, case, bound={action: form}, conflict=conflict)
    if spec.name not in {entry["action"].name for entry in context["action_forms"]}:
        context["conflict"] = conflict or MSG_RELOAD
    return render(request, "requests_app/case_detail.html", context, status=200)


def _dates_form(case, data=None) -> RegistrationDatesForm:
    names = [name for name, _, _ in CHANNEL_FIELDS[case.channel]]
    initial = {name: getattr(case, name, "") for name in names if hasattr(case, name)}
    initial["expected_version"] = case.version
    return RegistrationDatesForm(data, channel=case.channel, initial=initial)


def _correction_blocked(case) -> str:
    """Why the registration dates can no longer be corrected here ('' while they can)."""
    if not case.is_open:
        return MSG_CORRECTION_CLOSED
    issued = case.letters.filter(state="issued").order_by("issued_at").first()
    return MSG_CORRECTION_AFTER_LETTER.format(number=issued.number) if issued else ""


@login_required
def case_edit(request, public_id):
    """Edit registration fields through `case_update`, and correct the registration dates
    through `case_correct_registration` (reason required, history kept)."""
    case = case_get_for_user(request.user, public_id=public_id)
    if not user_has_role(request.user, case.agency_id, EDIT_ROLES) or case.state == CaseState.VOID:
        raise Http404("页面不存在")
    initial = {name: getattr(case, name) for name in CaseEditForm().fields if hasattr(case, name)}
    initial["expected_version"] = case.version
    conflict = ""
    form = CaseEditForm(initial=initial)
    dates = _dates_form(case)
    if request.method == "POST" and request.POST.get("form") == "dates":
        dates = _dates_form(case, request.POST)
        if dates.is_valid():
            values = dict(dates.cleaned_data)
            names = [name for name, _, _ in CHANNEL_FIELDS[case.channel]]
            changes = {name: values.get(name) or None for name in names}
            if "mail_tracking_number" in changes:
                changes["mail_tracking_number"] = values.get("mail_tracking_number") or ""
            if "confirmation_delay_reason" in changes:
                changes["confirmation_delay_reason"] = values["confirmation_delay_reason"] or ""
            try:
                case_correct_registration(
                    case_id=case.id,
                    by=request.user,
                    changes=changes,
                    reason=values["reason"],
                    receipt_date_confirmed=values["receipt_date_confirmed"],
                    expected_version=values["expected_version"],
                )
            except IntakeInvalid as exc:
                for field, message in exc.errors.items():
                    dates.add_error(field if field in dates.fields else None, message)
            except CaseConflict as exc:
                dates.add_error(None, _conflict_message(exc))
            except RuleViolation as exc:
                dates.add_error(exc.field if exc.field in dates.fields else None, exc.message)
            else:
                messages.success(request, "已更正登记日期")
                return redirect("requests_app:case_detail", public_id=case.public_id)
    elif request.method == "POST":
        form = CaseEditForm(request.POST, initial=initial)
        changes = form.changes(case)
        try:
            version = int(request.POST.get("expected_version", ""))
        except ValueError:
            version = case.version
        if not changes:
            form.add_error(None, "没有修改任何内容")
        else:
            try:
                case_update(
                    case_id=case.id,
                    by=request.user,
                    changes=changes,
                    reason=request.POST.get("reason", ""),
                    expected_version=version,
                )
            except IntakeInvalid as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except CaseConflict as exc:
                conflict = _conflict_message(exc)
                form.add_error(None, conflict)
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "已保存修改")
                return redirect("requests_app:case_detail", public_id=case.public_id)
    else:
        # The form holds the full identity and phone numbers: opening it is a recorded show.
        personal_data_reveal(
            case=case,
            by=request.user,
            address=client_address(request),
            channel=PersonalDataChannel.EDIT,
        )
    return render(
        request,
        "requests_app/case_edit.html",
        {
            "case": case,
            "form": form,
            "dates": dates,
            "dates_blocked": _correction_blocked(case),
            "confirm_shown": "receipt_date_confirmed" in dates.errors
            or bool(dates.data.get("dates-receipt_date_confirmed")),
            "conflict": conflict,
        },
    )


@login_required
@require_POST
def case_attachment_upload(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    if not user_has_role(request.user, case.agency_id, EDIT_ROLES) or case.state == CaseState.VOID:
        raise Http404("页面不存在")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                attachment_add(
                    case=case,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
        except AttachmentInvalid as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, "附件已上传")
            return redirect("requests_app:case_detail", public_id=case.public_id)
    context = case_page_context(request, case)
    context["attachment_form"] = form
    return render(request, "requests_app/case_detail.html", context)


@login_required
def case_attachment_download(request, public_id, pk: int):
    case = case_get_for_user(request.user, public_id=public_id)
    attachment = get_object_or_404(Attachment, pk=pk, case=case)
    security_event_record(
        SecurityEventKind.DOWNLOAD,
        request=request,
        obj=attachment,
        object_repr=attachment.original_name,
        details={"what": "attachment", "case": str(case.public_id)},
    )
    return file_download(
        attachment.file.open("rb"),
        download_name(case.case_no, attachment.original_name, ext=""),
        attachment.content_type,
        inline=True,
    )
