"""The public portal's rules: filing a request (the same checks as the portal API and the staff
upload checks for scans), confirming a waiting one, the tracking lookup, the online supplement
and electronic delivery of issued letters. Views stay thin; every rule is here once."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import user_has_role
from common.errors import MSG_NOT_PERMITTED, RuleViolation
from documents.models import Document
from documents.public import open_released_file, release_attachments, released_documents
from documents.services import sha256_of
from letters.models import Letter, LetterKind, LetterState, RenderStatus
from letters.services import (
    delivery_download_record,
    delivery_record_electronic,
    letter_pdf_bytes,
    letter_render,
)
from notifications.models import Notification
from notifications.models import Status as NotificationStatus
from notifications.services import notify_applicant
from requests_app import rules
from requests_app.api.serializers import PortalRequestInput
from requests_app.models import AttachmentKind, Case, CaseState, DeliveryMethod
from requests_app.services.attachments import attachment_add, attachments_check
from requests_app.services.cases import (
    ActionNotPermitted,
    case_record_supplement,
    case_submit_online,
    tracking_code_new,
)
from requests_app.services.intake import IntakeInvalid, intake_clean

from .models import PortalSetting, Submission, SubmissionScan, SubmissionState

MAX_SCANS = 5
MSG_TOO_MANY_SCANS = f"身份证明扫描件最多 {MAX_SCANS} 个"
MSG_UNKNOWN_AGENCY = "请选择受理机关"
MSG_TRACK_FAILED = "查询码或手机号码后四位不正确，请核对后再试"
MSG_NO_SUPPLEMENT = "本申请当前不需要补正"
MSG_SUPPLEMENT_FILE = "请上传补正材料"
MSG_ALREADY_CONFIRMED = "该网上申请已确认"
# Letters that go to the applicant (a consultation letter goes to the third party).
APPLICANT_LETTERS = [k for k in LetterKind.values if k != LetterKind.CONSULTATION_LETTER]
ELECTRONIC = (DeliveryMethod.PORTAL, DeliveryMethod.EMAIL)


class PortalInvalid(Exception):
    """Bad input on the portal: {field: Chinese message}; nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Filed:
    tracking_code: str
    agency: Agency
    case: Case | None  # None while the submission waits for staff
    submission: Submission | None
    submitted_on: dt.date


def portal_confirm_by_staff(agency: Agency) -> bool:
    setting = PortalSetting.objects.filter(agency=agency).first()
    return bool(setting and setting.portal_confirm_by_staff)


def _serializer_errors(errors) -> dict[str, str]:
    return {field: str(messages[0]) for field, messages in errors.items()}


def portal_check(data, scans: list[UploadedFile]) -> tuple[Agency, dict]:
    """Check a filing as the portal API does (the same serializer) and as registration does
    (intake_clean), and the scans as staff uploads are; return the agency and the values."""
    payload = PortalRequestInput(data=data)
    errors = {} if payload.is_valid() else _serializer_errors(payload.errors)
    values = dict(payload.validated_data) if not errors else {}
    agency = None
    code = (data.get("agency") or "").strip()
    if code:
        agency = Agency.objects.filter(code=code).first()
    if agency is None:
        errors["agency"] = MSG_UNKNOWN_AGENCY
    if not errors:
        today = timezone.localdate()
        try:
            intake_clean(
                {**values, "channel": "online", "submitted_on": today, "confirmed_on": today},
                today=today,
            )
        except IntakeInvalid as exc:
            errors.update(exc.errors)
    if len(scans) > MAX_SCANS:
        errors["scans"] = MSG_TOO_MANY_SCANS
    else:
        for scan in scans:
            if message := attachments_check({"scans": scan}).get("scans"):
                errors["scans"] = f"{scan.name}：{message}" if scan.name else message
                break
    if errors:
        raise PortalInvalid(errors)
    values.pop("agency", None)
    return agency, values


def _free_tracking_code() -> str:
    while True:
        code = tracking_code_new()
        taken = (
            Case.objects.filter(tracking_code=code).exists()
            or Submission.objects.filter(tracking_code=code).exists()
        )
        if not taken:
            return code


def portal_file(*, data, scans: list[UploadedFile]) -> Filed:
    """网上申请: register the case at once (the agency confirms on submission, the default) or
    keep it as a Submission waiting for staff (PortalSetting.portal_confirm_by_staff)."""
    agency, values = portal_check(data, scans)
    today = timezone.localdate()
    with transaction.atomic():
        if portal_confirm_by_staff(agency):
            submission = Submission.objects.create(
                agency=agency,
                tracking_code=_free_tracking_code(),
                data=values,
                submitted_on=today,
            )
            for scan in scans:
                scan.seek(0)
                SubmissionScan.objects.create(
                    submission=submission, file=scan, original_name=(scan.name or "scan")[:200]
                )
            return Filed(submission.tracking_code, agency, None, submission, today)
        case = case_submit_online(agency=agency, data=values)
        for scan in scans:
            attachment_add(
                case=case, kind=AttachmentKind.IDENTITY, upload=scan, by=None, reason="网上提交"
            )
        _receipt_confirmed_notice(case)
    return Filed(case.tracking_code, agency, case, None, today)


def _receipt_confirmed_notice(case: Case) -> None:
    notify_applicant(
        case,
        kind="receipt_confirmed",
        subject=f"{case.agency.name}已收到您的政府信息公开申请",
        body=(
            f"您的申请已于{case.received_on:%Y年%m月%d日}确认收到，案件编号{case.case_no}。"
            f"答复期限：{case.reply_due:%Y年%m月%d日}"
            f"{'（暂定）' if case.deadline_provisional else ''}。"
            "可凭查询码和手机号码后四位在网上查询办理进度。"
        ),
        dedupe_key=f"receipt-confirmed:{case.pk}",
    )


def submissions_confirmable(user, submission: Submission) -> bool:
    return user_has_role(user, submission.agency_id, rules.TRANSITION_ROLES["register"])


def submission_confirm(*, submission_id: int, by) -> Case:
    """Staff confirm a waiting online request: the case is registered today (the receipt date,
    Art. 31(3)) with the tracking code the applicant already holds; the scans move to it."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if not submissions_confirmable(by, submission):
            raise ActionNotPermitted(MSG_NOT_PERMITTED)
        if submission.state != SubmissionState.PENDING:
            raise RuleViolation(MSG_ALREADY_CONFIRMED)
        today = timezone.localdate()
        case = case_submit_online(
            agency=submission.agency,
            data=submission.data,
            submitted_on=submission.submitted_on,
            confirmed_on=today,
            tracking_code=submission.tracking_code,
            reason=f"网上申请平台提交（{submission.submitted_on:%Y-%m-%d}），"
            f"由{by.get_full_name() or by.get_username()}确认收到",
        )
        for scan in submission.scans.all():
            with scan.file.open("rb") as handle:
                upload = File(handle, name=scan.original_name)
                attachment_add(
                    case=case, kind=AttachmentKind.IDENTITY, upload=upload, by=by, reason="网上提交"
                )
            scan.file.delete(save=False)
        submission.scans.all().delete()
        submission.state = SubmissionState.CONFIRMED
        submission.confirmed_by, submission.confirmed_at = by, timezone.now()
        submission.case_id = case.pk
        submission.data = {}  # the case holds the request now; no second copy of personal data
        submission.save()
        _receipt_confirmed_notice(case)
    return case


# --- tracking ------------------------------------------------------------------------------------
def _phone_tail(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-4:]


def _normal_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()[:16]


def track_lookup(code: str, phone_tail: str) -> Case | Submission | None:
    """The case (or waiting submission) for a tracking code and the last four digits of the
    phone given, or None. Both tables are always asked and the digits always compared in
    constant time, so a wrong pair and an unknown code take the same path and answer alike."""
    code = _normal_code(code)
    case = Case.objects.select_related("agency").filter(tracking_code=code).first()
    waiting = (
        Submission.objects.select_related("agency")
        .filter(tracking_code=code, state=SubmissionState.PENDING)
        .first()
    )
    found = case or waiting
    if isinstance(found, Case):
        expected = _phone_tail(found.applicant_phone)
    elif found is not None:
        expected = _phone_tail(found.data.get("applicant_phone", ""))
    else:
        expected = "\x00\x00\x00\x00"
    given = re.sub(r"\D", "", phone_tail or "")[-4:]
    matches = hmac.compare_digest(expected.rjust(4, "\x00"), given.rjust(4, "\x01"))
    return found if matches and len(given) == 4 else None


def tracking_letters(case: Case) -> list[Letter]:
    """The issued letters the applicant may download: only where delivery is electronic."""
    if case.delivery_method not in ELECTRONIC:
        return []
    return list(
        Letter.objects.filter(
            case=case, state=LetterState.ISSUED, kind__in=APPLICANT_LETTERS
        ).order_by("issued_at", "id")
    )


def tracking_letter_pdf(*, case: Case, letter_public_id) -> tuple[Letter, bytes]:
    """The PDF of one of the case's downloadable letters; the first download is recorded as the
    proof of receipt (letters.services.delivery_download_record)."""
    letter = next(
        (x for x in tracking_letters(case) if str(x.public_id) == str(letter_public_id)), None
    )
    if letter is None:
        raise Letter.DoesNotExist
    data = letter_pdf_bytes(letter)
    delivery_download_record(letter_id=letter.pk)
    return letter, data


MSG_DOCUMENT_TAMPERED = "该文件校验不符，暂停提供下载，请与办理机关联系。"


def tracking_document_pdf(*, case: Case, document_id: int) -> tuple[Document, bytes]:
    """A released (redacted) document of the case, checked against the SHA-256 frozen when it
    was made: a file that changed since is never served (the applicant is told to call)."""
    document = next((d for d in released_documents(case) if d.pk == document_id), None)
    if document is None:
        raise Document.DoesNotExist
    with open_released_file(document) as handle:
        data = handle.read()
    if sha256_of(data) != document.sha256:
        raise RuleViolation(MSG_DOCUMENT_TAMPERED)
    return document, data


def supplement_answer_online(*, case: Case, uploads: list[UploadedFile]) -> Case:
    """补正 answered on the portal: the files are stored as supplement materials and the
    supplement recorded as received today, through the same service as staff use (the clock
    restarts, Art. 30)."""
    if not uploads:
        raise PortalInvalid({"supplement": MSG_SUPPLEMENT_FILE})
    if case.state != CaseState.SUPPLEMENT:
        raise PortalInvalid({"supplement": MSG_NO_SUPPLEMENT})
    for upload in uploads:
        if message := attachments_check({"supplement": upload}).get("supplement"):
            raise PortalInvalid({"supplement": message})
    with transaction.atomic():
        for upload in uploads:
            attachment_add(
                case=case,
                kind=AttachmentKind.SUPPLEMENT,
                upload=upload,
                by=None,
                reason="申请人网上提交补正材料",
            )
        try:
            return case_record_supplement(
                case_id=case.pk,
                by=None,
                by_applicant=True,
                reason="申请人网上提交补正材料",
            )
        except RuleViolation as exc:
            raise PortalInvalid({"supplement": exc.message}) from exc


# --- electronic delivery (letters.hooks.after_issue) ----------------------------------------------
def letter_deliver_electronically(letter_id: int) -> list[str]:
    """Deliver an issued letter as the applicant chose: made available on the tracking page
    (portal) and/or e-mailed with the PDF (email); each delivery is recorded with its time. The
    applicant is told once. Postal and in-person delivery stay with staff. Safe to run again."""
    letter = Letter.objects.select_related("case", "case__agency").get(pk=letter_id)
    case = letter.case
    if letter.kind not in APPLICANT_LETTERS or case.delivery_method not in ELECTRONIC:
        return []
    if letter.render_status != RenderStatus.GENERATED:
        letter = letter_render(letter_id=letter.pk)
        if letter.render_status != RenderStatus.GENERATED:
            raise RuntimeError(f"letter {letter.pk} not rendered: {letter.render_error}")
    done = []
    title = f"{letter.get_kind_display()}（{letter.number}）"
    if case.delivery_method == DeliveryMethod.PORTAL:
        delivery_record_electronic(
            letter_id=letter.pk, method=DeliveryMethod.PORTAL, note="网上查询页面提供下载"
        )
        notify_applicant(
            case,
            kind="letter_issued",
            subject=f"{case.agency.name}已向您出具{title}",
            body=f"请凭查询码和手机号码后四位登录网上查询页面下载{title}。",
            dedupe_key=f"letter-issued:{letter.pk}",
        )
        done.append(DeliveryMethod.PORTAL)
    elif case.delivery_method == DeliveryMethod.EMAIL and case.applicant_email:
        pdf = letter_pdf_bytes(letter)
        # the reply carries the documents it releases (redacted PDFs, issue 14)
        released = release_attachments(case) if letter.kind == LetterKind.REPLY else []
        rows = notify_applicant(
            case,
            kind="letter_issued",
            subject=f"{case.agency.name}：{title}",
            body=f"{case.applicant_name}：\n\n附件为{case.agency.name}出具的{title}，请查收。",
            attachments=[
                (f"{letter.number or letter.kind}.pdf", pdf, "application/pdf"),
                *released,
            ],
            dedupe_key=f"letter-issued:{letter.pk}",
        )
        row = Notification.objects.get(pk=rows[0].pk) if rows else None
        if row is not None and row.status == NotificationStatus.SENT:
            delivery_record_electronic(
                letter_id=letter.pk,
                method=DeliveryMethod.EMAIL,
                email=case.applicant_email,
                note="电子邮件附PDF送达",
            )
            done.append(DeliveryMethod.EMAIL)
        elif row is not None:  # the task is retried; the row is not sent twice
            raise RuntimeError(f"letter {letter.pk}: e-mail not sent ({row.last_error})")
    return done
