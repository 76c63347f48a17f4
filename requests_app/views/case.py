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
from workcalendar.selectors import calendar_get

from .. import rules
from ..actions import ACTIONS, action_form_class, action_run, actions_available
from ..forms import AttachmentForm, CaseEditForm
from ..models import Attachment, CaseState, EventKind, ExtensionState
from ..rules import RuleViolation
from ..selectors import case_events, case_get_for_user, case_repeat_flags
from ..services.attachments import AttachmentInvalid, attachment_add
from ..services.cases import CaseConflict, case_assign, case_update
from ..services.deadlines import case_deadline
from ..services.intake import IntakeInvalid
from .access import EDIT_ROLES

MSG_RELOAD = "案件已被他人修改或状态已变化，请刷新页面查看最新情况后再操作。"


def _conflict_message(exc: CaseConflict) -> str:
    """A conflict always asks to reload (stale version or a state that moved on)."""
    return exc.message if "刷新" in exc.message else f"{exc.message}。{MSG_RELOAD}"


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
    if case.is_open and deadline.due and not deadline.stopped:
        calendar = calendar_get(covering=max(today, deadline.due) + dt.timedelta(days=30))
        if deadline.due >= today:
            banner["left"] = calendar.working_days_between(today, deadline.due)
            banner["level"] = "soon" if banner["left"] <= 5 else "ok"
        else:
            banner["overdue_by"] = calendar.working_days_between(deadline.due, today)
            banner["level"] = "overdue"
    elif deadline.stopped:
        banner["level"] = "stopped"
    return banner


def _action_forms(case, user, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    entries = []
    for action in actions_available(case, user):
        form = bound.get(action.name) or action_form_class(action)(
            prefix=action.name, initial={"expected_version": case.version}
        )
        entries.append({"action": action, "form": form})
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
    if spec is None or not user_has_role(
        request.user, case.agency_id, rules.TRANSITION_ROLES[action]
    ):
        raise Http404("页面不存在")
    form = action_form_class(spec)(request.POST, prefix=action)
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


@login_required
def case_edit(request, public_id):
    """Edit registration fields through `case_update` (reason required, history kept)."""
    case = case_get_for_user(request.user, public_id=public_id)
    if not user_has_role(request.user, case.agency_id, EDIT_ROLES) or case.state == CaseState.VOID:
        raise Http404("页面不存在")
    initial = {name: getattr(case, name) for name in CaseEditForm().fields if hasattr(case, name)}
    initial["expected_version"] = case.version
    conflict = ""
    if request.method == "POST":
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
        form = CaseEditForm(initial=initial)
    return render(
        request, "requests_app/case_edit.html", {"case": case, "form": form, "conflict": conflict}
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
    return file_download(
        attachment.file.open("rb"),
        download_name(case.case_no, attachment.original_name, ext=""),
        attachment.content_type,
        inline=True,
    )
