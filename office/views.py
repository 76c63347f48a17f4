"""Thin views over the office tools: the 台账 export, batch work and the archive file."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from requests_app.rules import RuleViolation
from requests_app.selectors import case_get_for_user
from requests_app.views.access import CASE_READER_ROLES, require_role
from requests_app.views.worklist import worklist_query
from security.events import security_event_record
from security.kinds import SecurityEventKind

from . import archive, batch
from .ledger import MAX_ROWS, MSG_TOO_MANY, ledger_xlsx
from .pdf import docx_merged_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSG_PICK_HANDLER = "请选择承办人"
MSG_UNKNOWN_ACTION = "未知的批量操作"
MSG_SENT_ON = "请填写有效的发出日期（YYYY-MM-DD）"
BATCH_TITLES = {
    "assign": "批量指定承办人",
    "receipts": "批量打印登记回执",
    "envelopes": "批量打印信封",
    "deliveries": "批量登记邮寄送达",
}


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _worklist_url(request) -> str:
    query = request.POST.get("query", "")
    return reverse("requests_app:worklist") + (f"?{query}" if query else "")


@login_required
def worklist_ledger(request):
    """台账: the worklist as filtered (same filters as the page), to .xlsx."""
    found = worklist_query(request)
    if found.cases.count() > MAX_ROWS:
        messages.error(request, MSG_TOO_MANY.format(n=MAX_ROWS))
        return redirect(reverse("requests_app:worklist") + "?" + request.GET.urlencode())
    data = ledger_xlsx(
        found.cases, today=found.today, calendar=found.calendar, soon_limit=found.soon_limit
    )
    security_event_record(
        SecurityEventKind.EXPORT,
        request=request,
        details={"what": "ledger", "filters": request.GET.dict()},
    )
    return _file(data, f"台账-{found.today.isoformat()}.xlsx", XLSX)


@login_required
@require_POST
def worklist_batch(request):
    """One batch action on the ticked cases; a result row per case."""
    require_role(request, CASE_READER_ROLES)
    action = request.POST.get("action", "")
    keys = request.POST.getlist("cases")
    try:
        if action == "assign":
            handler = request.POST.get("handler", "")
            if not handler.isdigit():
                raise RuleViolation(MSG_PICK_HANDLER, "handler")
            result = batch.batch_assign(
                user=request.user,
                keys=keys,
                handler_id=int(handler),
                reason=request.POST.get("reason", ""),
            )
        elif action == "receipts":
            result = batch.batch_receipts(user=request.user, keys=keys)
        elif action == "envelopes":
            result = batch.batch_envelopes(user=request.user, keys=keys)
        elif action == "deliveries":
            if request.POST.get("step") == "record":
                return _record_deliveries(request, keys)
            return _deliveries_form(request, batch.batch_cases(request.user, keys))
        else:
            raise RuleViolation(MSG_UNKNOWN_ACTION, "action")
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect(_worklist_url(request))
    if action in ("receipts", "envelopes") and result.succeeded and not result.failed:
        try:
            pdf = docx_merged_pdf(batch.batch_documents(result, action))
        except RuntimeError as exc:
            messages.error(request, str(exc))
        else:
            name = "登记回执" if action == "receipts" else "信封"
            today = timezone.localdate().isoformat()
            return _file(pdf, f"{name}-{len(result.succeeded)}件-{today}.pdf", "application/pdf")
    return _result_page(request, action, result)


def _result_page(request, action: str, result: batch.BatchResult):
    return render(
        request,
        "office/batch_result.html",
        {
            "title": BATCH_TITLES[action],
            "action": action,
            "result": result,
            "printable": action in ("receipts", "envelopes") and bool(result.succeeded),
            "query": request.POST.get("query", ""),
        },
    )


def _deliveries_form(request, result: batch.BatchResult, *, sent_on: str = ""):
    rows = [
        {"row": row, "letters": batch.delivery_candidates(row.case) if row.case else []}
        for row in result.results
    ]
    return render(
        request,
        "office/batch_deliveries.html",
        {
            "rows": rows,
            "sent_on": sent_on or timezone.localdate().isoformat(),
            "query": request.POST.get("query", ""),
        },
    )


def _record_deliveries(request, keys: list[str]):
    try:
        sent_on = dt.date.fromisoformat(request.POST.get("sent_on", ""))
    except ValueError:
        messages.error(request, MSG_SENT_ON)
        return _deliveries_form(request, batch.batch_cases(request.user, keys))
    entries = [
        batch.PostalEntry(
            key=key,
            letter_key=request.POST.get(f"letter-{key}", ""),
            tracking_number=request.POST.get(f"tracking-{key}", ""),
        )
        for key in keys
    ]
    result = batch.batch_postal_deliveries(user=request.user, entries=entries, sent_on=sent_on)
    return _result_page(request, "deliveries", result)


@login_required
def case_archive(request, public_id):
    """案卷: the closed case's archive file as one PDF."""
    case = case_get_for_user(request.user, public_id=public_id)
    back = reverse("requests_app:case_detail", args=[case.public_id])
    try:
        data = archive.case_archive_pdf(case=case)
    except (RuleViolation, RuntimeError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect(back)
    security_event_record(
        SecurityEventKind.DOWNLOAD,
        request=request,
        obj=case,
        object_repr=case.case_no,
        details={"what": "case_archive"},
    )
    return _file(data, f"{case.case_no}_案卷.pdf", "application/pdf")
