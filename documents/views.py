"""Thin views over the documents services: the case's documents, the redaction workbench (page
images with the boxes; every action is a plain form, a small script only helps draw boxes),
downloads and the redaction log annex. Access: 404 outside the user's agencies, 403 for a role
that may not act."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.selectors import user_roles
from common.downloads import download_name, file_download
from common.errors import RuleViolation
from requests_app.selectors import case_get_for_user

from . import engine, services
from .annex import redaction_log_docx
from .grounds import Ground
from .models import BoxState
from .selectors import (
    document_get_for_user,
    redaction_log,
    suggestion_list,
    suggestions_open_for_case,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _case_url(case) -> str:
    return reverse("documents:case_documents", args=[case.public_id])


def _workbench_url(document) -> str:
    return reverse("documents:workbench", args=[document.pk])


def _act(request, action, back: str):
    """Run a service; a refused role is 403, a refused rule a message on the page."""
    try:
        result = action()
    except services.DocumentNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return None, redirect(back)
    return result, None


@login_required
def case_documents(request, public_id):
    """The case's documents, the upload form, the release set's sign-off."""
    case = case_get_for_user(request.user, public_id=public_id)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件")
            return redirect(_case_url(case))
        if upload.size and upload.size > services.MAX_DOCUMENT_BYTES:
            data = b"\0" * (services.MAX_DOCUMENT_BYTES + 1)  # refused by size, not read
        else:
            data = upload.read()
        document, refused = _act(
            request,
            lambda: services.document_add(
                case=case,
                by=request.user,
                data=data,
                name=upload.name,
                title=request.POST.get("title", ""),
            ),
            _case_url(case),
        )
        if refused:
            return refused
        messages.success(request, f"已添加《{document.title}》，共{document.page_count}页")
        return redirect(_workbench_url(document))
    documents = list(case.documents.order_by("id"))
    roles = user_roles(request.user, case.agency_id)
    return render(
        request,
        "documents/case_documents.html",
        {
            "case": case,
            "documents": documents,
            "problems": services.release_problems(case) if documents else [],
            "signoff": services.release_signoff_current(case),
            "can_edit": bool(roles & services.EDIT_ROLES) and not case.is_finished,
            "can_sign": Role.APPROVER in roles and not case.is_finished,
            "suggestions": suggestions_open_for_case(case),
            "log_rows": redaction_log(case),
        },
    )


@login_required
def workbench(request, pk: int):
    """Page images with the proposed and accepted boxes of one document."""
    document = document_get_for_user(request.user, pk)
    with document.pdf.open("rb") as handle:
        sizes = engine.page_sizes(handle.read())
    boxes = list(document.boxes.select_related("decided_by").order_by("page", "y0", "x0"))
    pages = []
    for number, (width, height) in enumerate(sizes, start=1):
        on_page = [b for b in boxes if b.page == number]
        pages.append(
            {
                "number": number,
                "width": round(width, 2),
                "height": round(height, 2),
                "boxes": [
                    {
                        "box": b,
                        "left": 100 * b.x0 / width,
                        "top": 100 * b.y0 / height,
                        "width": 100 * (b.x1 - b.x0) / width,
                        "height": 100 * (b.y1 - b.y0) / height,
                    }
                    for b in on_page
                ],
            }
        )
    roles = user_roles(request.user, document.case.agency_id)
    return render(
        request,
        "documents/workbench.html",
        {
            "document": document,
            "case": document.case,
            "pages": pages,
            "grounds": Ground.choices,
            "pending": sum(1 for b in boxes if b.state == BoxState.PROPOSED),
            "can_edit": bool(roles & services.EDIT_ROLES) and not document.case.is_finished,
            "terms": "，".join(services.suggested_terms(document.case)),
        },
    )


@login_required
def page_image(request, pk: int, page: int):
    document = document_get_for_user(request.user, pk)
    with document.pdf.open("rb") as handle:
        data = handle.read()
    try:
        png = engine.page_png(data, page - 1)
    except IndexError as exc:
        raise Http404("页码不存在") from exc
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _float(request, name: str) -> float:
    try:
        return float(request.POST.get(name, ""))
    except ValueError as exc:
        raise RuleViolation(services.MSG_BOX, name) from exc


@login_required
@require_POST
def box_add(request, pk: int):
    document = document_get_for_user(request.user, pk)

    def add():
        try:
            page = int(request.POST.get("page", ""))
        except ValueError as exc:
            raise RuleViolation(
                services.MSG_PAGE.format(pages=document.page_count), "page"
            ) from exc
        return services.box_add(
            document_id=document.pk,
            by=request.user,
            page=page,
            x0=_float(request, "x0"),
            y0=_float(request, "y0"),
            x1=_float(request, "x1"),
            y1=_float(request, "y1"),
            ground=request.POST.get("ground", ""),
        )

    box, refused = _act(request, add, _workbench_url(document))
    if refused:
        return refused
    messages.success(request, f"已在第{box.page}页添加遮盖区域")
    return redirect(_workbench_url(document) + f"#page-{box.page}")


@login_required
@require_POST
def box_decide(request, pk: int, box_id: int):
    document = document_get_for_user(request.user, pk)
    box = document.boxes.filter(pk=box_id).first()
    if box is None:
        raise Http404("遮盖区域不存在")
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        messages.error(request, "请选择采纳或驳回")
        return redirect(_workbench_url(document))
    _, refused = _act(
        request,
        lambda: services.box_decide(
            box_id=box.pk,
            by=request.user,
            accept=decision == "accept",
            ground=request.POST.get("ground") or None,
        ),
        _workbench_url(document),
    )
    return refused or redirect(_workbench_url(document) + f"#page-{box.page}")


@login_required
@require_POST
def accept_all(request, pk: int):
    """Accept every undecided proposal of the document with its proposed ground."""
    document = document_get_for_user(request.user, pk)

    def accept():
        for box in document.boxes.filter(state=BoxState.PROPOSED):
            services.box_decide(box_id=box.pk, by=request.user, accept=True)

    _, refused = _act(request, accept, _workbench_url(document))
    return refused or redirect(_workbench_url(document))


@login_required
@require_POST
def detect(request, pk: int):
    document = document_get_for_user(request.user, pk)
    terms = request.POST.get("terms", "").replace("，", ",").replace("、", ",").split(",")
    added, refused = _act(
        request,
        lambda: services.document_detect(document_id=document.pk, by=request.user, terms=terms),
        _workbench_url(document),
    )
    if refused:
        return refused
    messages.success(request, f"识别完成，新增{added}处待确认")
    return redirect(_workbench_url(document))


@login_required
@require_POST
def redact(request, pk: int):
    document = document_get_for_user(request.user, pk)
    _, refused = _act(
        request,
        lambda: services.document_redact(document_id=document.pk, by=request.user),
        _workbench_url(document),
    )
    if refused:
        return refused
    messages.success(request, f"已生成《{document.title}》的公开版本")
    return redirect(_case_url(document.case))


@login_required
@require_POST
def withdraw(request, pk: int):
    document = document_get_for_user(request.user, pk)
    _, refused = _act(
        request,
        lambda: services.document_set_withdrawn(
            document_id=document.pk, by=request.user, withdrawn=request.POST.get("withdrawn") == "1"
        ),
        _case_url(document.case),
    )
    return refused or redirect(_case_url(document.case))


@login_required
@require_POST
def mark_publication(request, pk: int):
    document = document_get_for_user(request.user, pk)
    _, refused = _act(
        request,
        lambda: services.document_mark_publication(
            document_id=document.pk, by=request.user, publish=request.POST.get("publish") == "1"
        ),
        _case_url(document.case),
    )
    return refused or redirect(_case_url(document.case))


@login_required
@require_POST
def signoff(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    _, refused = _act(
        request,
        lambda: services.release_signoff(case_id=case.pk, by=request.user),
        _case_url(case),
    )
    if refused:
        return refused
    messages.success(request, "公开文件已审核通过")
    return redirect(_case_url(case))


@login_required
def download(request, pk: int, which: str):
    """The original (as uploaded), its PDF, or the released (redacted) version."""
    document = document_get_for_user(request.user, pk)
    case = document.case
    if which == "original":
        name = download_name(case.case_no, document.original_name, ext="")
        return file_download(document.original.open("rb"), name, "application/octet-stream")
    if which == "pdf":
        name = download_name(case.case_no, document.title, "PDF", ext="pdf")
        return file_download(document.pdf.open("rb"), name, "application/pdf", inline=True)
    if which == "released" and document.redacted:
        name = download_name(case.case_no, document.title, "公开版", ext="pdf")
        return file_download(document.redacted.open("rb"), name, "application/pdf")
    raise Http404("文件不存在")


@login_required
def log_docx(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    data = redaction_log_docx(
        redaction_log(case), case_no=case.case_no, agency_name=case.agency.name
    )
    return file_download(data, download_name(case.case_no, "遮盖处理记录", ext="docx"), DOCX)


@login_required
def suggestions(request):
    """Art. 44 suggestions of the user's agencies; POST decides one."""
    if request.method == "POST":
        try:
            suggestion_id = int(request.POST.get("suggestion", ""))
        except ValueError as exc:
            raise Http404("建议不存在") from exc
        if not suggestion_list(request.user).filter(pk=suggestion_id).exists():
            raise Http404("建议不存在")
        _, refused = _act(
            request,
            lambda: services.suggestion_decide(
                suggestion_id=suggestion_id,
                by=request.user,
                accept=request.POST.get("decision") == "accept",
                note=request.POST.get("note", ""),
            ),
            reverse("documents:suggestions"),
        )
        return refused or redirect(reverse("documents:suggestions"))
    return render(
        request, "documents/suggestions.html", {"suggestions": suggestion_list(request.user)}
    )
