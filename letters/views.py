"""Thin views over the letters services; every one goes through case access (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models import Agency, Membership, Role
from agencies.selectors import user_roles
from common import limits
from common.downloads import file_download
from requests_app.models import DeliveryMethod
from requests_app.outcomes import Outcome
from requests_app.rules import RuleViolation
from requests_app.selectors import case_get_for_user
from security.events import security_event_record
from security.kinds import SecurityEventKind

from . import compose, services
from .models import Delivery, LetterKind, LetterState
from .placeholders import TEMPLATE_KEYS
from .selectors import letter_download_name, letter_get_for_user, letter_list_for_case

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file_response(data: bytes, filename: str, content_type: str = DOCX) -> HttpResponse:
    return file_download(data, filename, content_type)


def _back(letter) -> str:
    return reverse("letters:letter_detail", args=[letter.public_id])


@login_required
def case_letters(request, public_id):
    """The case's letters; POST drafts a new one (kind, and the outcome for a reply)."""
    case = case_get_for_user(request.user, public_id=public_id)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            letter = services.letter_draft(
                case_id=case.id,
                by=request.user,
                kind=kind,
                outcome=request.POST.get("outcome") or None,
                replaces_id=_posted_int(request.POST.get("replaces"), "replaces"),
            )
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect(reverse("requests_app:case_detail", args=[case.public_id]) + "#letters")
        messages.success(request, f"已生成{letter.get_kind_display()}草稿")
        return redirect(_back(letter))
    return render(
        request,
        "letters_web/case_letters.html",
        {
            "case": case,
            "letters": letter_list_for_case(case),
            "kinds": LetterKind.choices,
            "outcomes": Outcome.choices,
            "selected_kind": request.GET.get("kind", ""),
        },
    )


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices)
    sent_on = limits.form_event_date(label="发出日期")
    tracking_number = limits.form_text(
        Delivery, "tracking_number", label="邮件单号", required=False
    )
    email = forms.EmailField(
        label="电子邮箱", required=False, max_length=limits.max_length(Delivery, "email")
    )
    received_on = limits.form_event_date(label="申请人收到日期", required=False)
    note = limits.form_text(Delivery, "note", label="备注", required=False)


@login_required
def letter_detail(request, public_id):
    """One letter: its fields and paragraphs (editable while a draft), sign-off, issue,
    downloads and deliveries. POST saves the edited draft."""
    letter = letter_get_for_user(request.user, public_id=public_id)
    fields = compose.detail_fields(letter.kind, letter.outcome)
    if request.method == "POST":
        details = {f.name: request.POST.get(f.name, "") for f in fields if f.name in request.POST}
        try:
            services.letter_update(
                letter_id=letter.id,
                by=request.user,
                details=details,
                body=request.POST.get("body", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "草稿已保存")
        except RuleViolation as exc:
            messages.error(request, exc.message)
        return redirect(_back(letter))
    roles = user_roles(request.user, letter.agency_id)
    return render(
        request,
        "letters_web/letter_detail.html",
        {
            "letter": letter,
            "case": letter.case,
            "fields": [(f, letter.details.get(f.name, "")) for f in fields],
            "can_edit": letter.state != LetterState.ISSUED
            and bool(roles & services.LETTER_ROLES["edit"]),
            "can_approve": letter.state == LetterState.DRAFT
            and bool(
                roles
                & services.letter_action_roles(
                    services.action_for(letter, "approve"), letter.agency
                )
            ),
            "can_issue": letter.state == LetterState.APPROVED
            and bool(
                roles
                & services.letter_action_roles(services.action_for(letter, "issue"), letter.agency)
            ),
            "can_deliver": letter.is_issued and bool(roles & services.LETTER_ROLES["deliver"]),
            "can_render": letter.is_issued and letter.render_status != "generated",
            "delivery_form": DeliveryForm(
                initial={"method": letter.case.delivery_method, "sent_on": dt.date.today()}
            ),
            "deliveries": letter.deliveries.all(),
            "pdf_available": services.rendering.soffice_path() is not None,
        },
    )


def _post_action(request, public_id, run, done: str):
    letter = letter_get_for_user(request.user, public_id=public_id)
    try:
        run(letter)
        messages.success(request, done)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect(_back(letter))


@login_required
@require_POST
def letter_approve(request, public_id):
    return _post_action(
        request,
        public_id,
        lambda letter: services.letter_approve(
            letter_id=letter.id, by=request.user, reason=request.POST.get("reason", "")
        ),
        "已审核通过",
    )


@login_required
@require_POST
def letter_issue(request, public_id):
    def run(letter):
        issued = services.letter_issue(
            letter_id=letter.id, by=request.user, on=_posted_date(request.POST.get("on"), "on")
        )
        if issued.render_status == "failed":
            raise RuleViolation(f"已签发（{issued.number}），但文件生成失败：{issued.render_error}")

    return _post_action(request, public_id, run, "已签发")


@login_required
@require_POST
def letter_render(request, public_id):
    return _post_action(
        request,
        public_id,
        lambda letter: services.letter_render(letter_id=letter.id, by=request.user),
        "已重新生成",
    )


@login_required
@require_POST
def letter_delivery(request, public_id):
    letter = letter_get_for_user(request.user, public_id=public_id)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}：{'；'.join(errors)}")
        return redirect(_back(letter))
    return _post_action(
        request,
        public_id,
        lambda letter: services.delivery_record(
            letter_id=letter.id, by=request.user, **form.cleaned_data
        ),
        "已登记送达",
    )


@login_required
def letter_download(request, public_id):
    letter = letter_get_for_user(request.user, public_id=public_id)
    try:
        data = services.letter_file_bytes(letter)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect(_back(letter))
    _downloaded(request, letter, "docx")
    return _file_response(data, letter_download_name(letter, "docx"))


def _downloaded(request, letter, what: str) -> None:
    """A letter (the applicant's name, address and request) leaves the system: logged."""
    security_event_record(
        SecurityEventKind.DOWNLOAD,
        request=request,
        obj=letter,
        object_repr=letter.number or letter.get_kind_display(),
        details={"what": f"letter_{what}", "case": str(letter.case.public_id)},
    )


@login_required
def letter_pdf(request, public_id):
    letter = letter_get_for_user(request.user, public_id=public_id)
    try:
        data = services.letter_pdf_bytes(letter)
    except (RuleViolation, RuntimeError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect(_back(letter))
    _downloaded(request, letter, "pdf")
    return _file_response(data, letter_download_name(letter, "pdf"), "application/pdf")


@login_required
def letter_envelope(request, public_id):
    letter = letter_get_for_user(request.user, public_id=public_id)
    _downloaded(request, letter, "envelope")
    return _file_response(
        services.envelope_bytes(letter), letter_download_name(letter, "docx", what="信封")
    )


@login_required
@require_POST
def case_receipt_print(request, public_id):
    """One click while the applicant waits: issue the receipt if the case has none, and hand
    it back as PDF to print (the .docx where LibreOffice is missing)."""
    case = case_get_for_user(request.user, public_id=public_id)
    back = reverse("requests_app:case_detail", args=[case.public_id]) + "#letters"
    try:
        letter = services.receipt_issue(case_id=case.id, by=request.user, reason="当场出具")
        if letter.render_status == "failed":
            raise RuleViolation(f"已签发（{letter.number}），但文件生成失败：{letter.render_error}")
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect(back)
    name = f"{case.case_no}_{letter.get_kind_display()}"
    _downloaded(request, letter, "receipt_print")
    try:
        return _file_response(services.letter_pdf_bytes(letter), f"{name}.pdf", "application/pdf")
    except RuntimeError:  # no LibreOffice here: the .docx prints as well
        return _file_response(services.letter_file_bytes(letter), f"{name}.docx")


class TemplateUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=Agency.objects.none())
    key = forms.ChoiceField(label="模板", choices=[(k, k) for k in TEMPLATE_KEYS])
    file = forms.FileField(label="模板文件（.docx）")


@login_required
def template_upload(request):
    """Administrators replace an agency's template; a refused file changes nothing."""
    if request.user.is_superuser:
        agencies = Agency.objects.all()
    else:
        ids = Membership.objects.filter(user=request.user, role=Role.ADMINISTRATOR).values_list(
            "agency_id", flat=True
        )
        agencies = Agency.objects.filter(id__in=ids)
    if not agencies.exists():
        raise PermissionDenied("仅系统管理员可以上传文书模板")
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    form.fields["agency"].queryset = agencies
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.template_upload(
                agency=form.cleaned_data["agency"],
                by=request.user,
                key=form.cleaned_data["key"],
                data=upload.read(),
                filename=upload.name,
            )
            messages.success(request, "模板已启用")
            return redirect("letters:template_upload")
        except RuleViolation as exc:
            errors = getattr(exc, "errors", [exc.message])
    return render(request, "letters_web/template_upload.html", {"form": form, "errors": errors})


def _posted_int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise RuleViolation("请选择有效的文书", field) from exc


def _posted_date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RuleViolation("日期格式应为 YYYY-MM-DD", field) from exc
