"""Writes on the documents of a case (issue 14): attach, detect, decide and draw boxes, make the
released version, sign off the release set, mark released with the reply, and the Art. 44
suggestions. Each write checks the role, locks what it changes and records the case history in
the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import user_has_role
from common.errors import NotPermitted, RuleViolation
from common.office import office_to_pdf
from requests_app.history import history_write
from requests_app.models import Case, CaseState, EventKind
from requests_app.services.repeats import text_similarity

from . import engine
from .grounds import GROUND_LABELS, GROUND_SHORT, Ground
from .models import (
    BoxState,
    Document,
    PublicationSuggestion,
    RedactionBox,
    ReleaseSignoff,
    SourceKind,
    SuggestionState,
)

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024  # a long scanned file; LibreOffice copes with less

MSG_TYPE = "文件类型不支持：只能上传 PDF、Word（.docx）、Excel（.xlsx）或 JPEG、PNG、TIFF 图像"
MSG_EXTENSION = "文件扩展名与内容不符（内容为{kind}）"
MSG_SIZE = "文件过大：不能超过 {limit} MB（该文件 {size:.1f} MB）"
MSG_EMPTY = "文件为空"
MSG_UNREADABLE = "无法读取该 PDF 文件（文件损坏或设有密码）"
MSG_CONVERT = "文件无法转换为 PDF：{error}"
MSG_DOCUMENTS_NOT_PERMITTED = "您在该机关没有办理公开文件的权限"
MSG_SIGNOFF_NOT_PERMITTED = "只有审核人可以审核公开文件"
MSG_CASE_FINISHED = "案件已办结，公开文件不能再修改"
MSG_CASE_VOID = "案件已作废"
MSG_RELEASED = "《{title}》已随答复（{number}）提供，不能再修改"
MSG_PAGE = "页码应在 1 至 {pages} 之间"
MSG_BOX = "遮盖区域的坐标不正确：须在页面之内，且右下角在左上角的右下方"
MSG_GROUND = "请从给定的不予公开依据中选择"
MSG_PENDING = "《{title}》还有 {count} 处识别结果未确认，请逐一采纳或驳回"
MSG_STALE = "《{title}》的遮盖区域已变更，请重新生成公开版本"
MSG_NO_DOCUMENTS = "本案没有需要提供的公开文件"
MSG_NOT_SIGNED = "公开文件尚未经审核人审核（或审核后又有改动），不能签发予以公开/部分公开的答复"
MSG_BOX_DECIDED = "该识别结果已处理"
MSG_TITLE = "请填写文件名称"

# First bytes → (source kind, content description, allowed extensions)
_SIGNATURES: list[tuple[bytes, str, str, set[str]]] = [
    (b"%PDF-", SourceKind.PDF, "PDF", {".pdf"}),
    (b"\xff\xd8\xff", SourceKind.IMAGE, "JPEG 图像", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", SourceKind.IMAGE, "PNG 图像", {".png"}),
    (b"II*\x00", SourceKind.IMAGE, "TIFF 图像", {".tif", ".tiff"}),
    (b"MM\x00*", SourceKind.IMAGE, "TIFF 图像", {".tif", ".tiff"}),
]
_OFFICE_MEMBERS = [
    ("word/document.xml", SourceKind.WORD, "Word 文档", {".docx"}),
    ("xl/workbook.xml", SourceKind.EXCEL, "Excel 表格", {".xlsx"}),
]


class DocumentInvalid(RuleViolation):
    """A refused upload or a refused change (the message names the problem)."""


class DocumentNotPermitted(NotPermitted):
    """The user's role does not allow this (views answer 403; the common 403 class)."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_kind(data: bytes, name: str) -> str:
    """The source kind of an upload from its content (not its name); the extension must agree.
    Raises DocumentInvalid with a message for the "file" field."""
    if not data:
        raise DocumentInvalid(MSG_EMPTY, "file")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentInvalid(
            MSG_SIZE.format(limit=MAX_DOCUMENT_BYTES // 1048576, size=len(data) / 1048576), "file"
        )
    extension = os.path.splitext(name or "")[1].lower()
    found: tuple[str, str, set[str]] | None = None
    for magic, kind, label, extensions in _SIGNATURES:
        if data.startswith(magic):
            found = (kind, label, extensions)
            break
    if found is None and data.startswith(b"PK\x03\x04"):
        try:
            members = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            members = set()
        for member, kind, label, extensions in _OFFICE_MEMBERS:
            if member in members:
                found = (kind, label, extensions)
                break
    if found is None:
        raise DocumentInvalid(MSG_TYPE, "file")
    kind, label, extensions = found
    if extension not in extensions:
        raise DocumentInvalid(MSG_EXTENSION.format(kind=label), "file")
    return kind


def document_to_pdf(data: bytes, kind: str, name: str) -> bytes:
    """The PDF of an upload: PDFs as they are, office files through LibreOffice, images
    through img2pdf. Raises DocumentInvalid if the result cannot be read."""
    try:
        if kind == SourceKind.PDF:
            pdf = data
        elif kind == SourceKind.IMAGE:
            pdf = engine.image_to_pdf(data)
        else:
            pdf = office_to_pdf(data, os.path.splitext(name)[1].lower())
        engine.page_count(pdf)
    except engine.PdfUnreadable as exc:
        raise DocumentInvalid(MSG_UNREADABLE, "file") from exc
    except (RuntimeError, OSError, ValueError) as exc:
        raise DocumentInvalid(MSG_CONVERT.format(error=exc), "file") from exc
    return pdf


def _check_role(
    by, case: Case, roles: set[str], message: str = MSG_DOCUMENTS_NOT_PERMITTED
) -> None:
    if by is None or not user_has_role(by, case.agency_id, roles):
        raise DocumentNotPermitted(message)


def _check_open(case: Case) -> None:
    if case.state == CaseState.VOID:
        raise DocumentInvalid(MSG_CASE_VOID)
    if case.is_finished:
        raise DocumentInvalid(MSG_CASE_FINISHED)


def _check_unreleased(document: Document) -> None:
    """What was handed over stays as it was handed over (the log must match the copy)."""
    if document.released_at is not None:
        raise DocumentInvalid(
            MSG_RELEASED.format(title=document.title, number=document.released_with)
        )


EDIT_ROLES = {Role.HANDLER, Role.APPROVER}


def _history(case: Case, by, reason: str, **changes) -> None:
    history_write(case=case, kind=EventKind.ATTACHMENT, by=by, reason=reason, changes=changes)


def document_add(*, case: Case, by, data: bytes, name: str, title: str = "") -> Document:
    """Attach a document found for the request: checked by content, its original kept as
    uploaded with its SHA-256, converted to PDF (outside the transaction: LibreOffice takes
    seconds), counted, and the detectors' proposals added."""
    _check_role(by, case, EDIT_ROLES)
    _check_open(case)
    name = os.path.basename(name or "document")[:200]
    title = (title or os.path.splitext(name)[0]).strip()[:200]
    if not title:
        raise DocumentInvalid(MSG_TITLE, "title")
    kind = document_kind(data, name)
    pdf = document_to_pdf(data, kind, name)
    pages = engine.page_count(pdf)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_open(case)
        document = Document(
            case=case,
            title=title,
            source_kind=kind,
            original_name=name,
            original_sha256=sha256_of(data),
            original_size=len(data),
            page_count=pages,
            uploaded_by=by,
        )
        document.original.save(name, ContentFile(data), save=False)
        document.pdf.save(os.path.splitext(name)[0] + ".pdf", ContentFile(pdf), save=False)
        document.save()
        _history(
            case,
            by,
            f"添加公开文件《{title}》",
            document_id=document.pk,
            name=name,
            pages=pages,
            sha256=document.original_sha256,
        )
        _propose(document, by, pdf, terms=suggested_terms(case))
    return document


def suggested_terms(case: Case) -> list[str]:
    """Names the handler will likely redact: the third parties consulted on the case (Art. 32),
    from the consultation records ("征求…意见")."""
    terms = []
    for note in case.clock_events.filter(note__startswith="征求").values_list("note", flat=True):
        if note.endswith("意见"):
            party = note.removeprefix("征求").removesuffix("意见").removesuffix("（第三方）")
            party = party.strip()
            if party and party not in terms:
                terms.append(party)
    return terms


def _propose(document: Document, by, pdf: bytes, *, terms: Iterable[str]) -> int:
    """Replace the undecided detector proposals by a new detection; keep decided boxes (and
    skip a proposal that a decided box already covers)."""
    document.boxes.filter(state=BoxState.PROPOSED).exclude(kind="manual").delete()
    decided = {
        (b.page, b.kind, b.matched_text, round(b.x0), round(b.y0))
        for b in document.boxes.exclude(state=BoxState.PROPOSED)
    }
    new = []
    for box in engine.detect(pdf, terms=terms):
        key = (box.page + 1, box.kind, box.text[:200], round(box.x0), round(box.y0))
        if key in decided:
            continue
        new.append(
            RedactionBox(
                document=document,
                page=box.page + 1,
                x0=box.x0,
                y0=box.y0,
                x1=box.x1,
                y1=box.y1,
                kind=box.kind,
                matched_text=box.text[:200],
                ground=Ground.ART15 if box.kind == "term" else Ground.PERSONAL,
                created_by=by,
            )
        )
    RedactionBox.objects.bulk_create(new)
    if new:
        _mark_stale(document)
    return len(new)


def document_detect(*, document_id: int, by, terms: Iterable[str]) -> int:
    """Detect again with the handler's list of names and terms; returns the proposals added."""
    with transaction.atomic():
        document = _lock(document_id)
        _check_role(by, document.case, EDIT_ROLES)
        _check_open(document.case)
        _check_unreleased(document)
        terms = [t.strip() for t in terms if t.strip()]
        with document.pdf.open("rb") as handle:
            pdf = handle.read()
        added = _propose(document, by, pdf, terms=terms)
        _history(
            document.case,
            by,
            f"重新识别《{document.title}》",
            document_id=document.pk,
            terms=terms,
            proposals=added,
        )
    return added


def _lock(document_id: int) -> Document:
    document = Document.objects.select_for_update().select_related("case").get(pk=document_id)
    document.case = Case.objects.select_for_update().get(pk=document.case_id)
    return document


def _mark_stale(document: Document) -> None:
    if not document.redaction_stale:
        document.redaction_stale = True
        document.save(update_fields=["redaction_stale"])


def _ground(value: str) -> str:
    if value not in Ground.values:
        raise DocumentInvalid(MSG_GROUND, "ground")
    return value


def box_add(
    *, document_id: int, by, page: int, x0: float, y0: float, x1: float, y1: float, ground: str
) -> RedactionBox:
    """A box the handler draws (for a scan, or what no detector finds): accepted at once."""
    ground = _ground(ground)
    with transaction.atomic():
        document = _lock(document_id)
        _check_role(by, document.case, EDIT_ROLES)
        _check_open(document.case)
        _check_unreleased(document)
        if not 1 <= page <= document.page_count:
            raise DocumentInvalid(MSG_PAGE.format(pages=document.page_count), "page")
        with document.pdf.open("rb") as handle:
            width, height = engine.page_sizes(handle.read())[page - 1]
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(width, x1), min(height, y1)
        if not (x1 > x0 and y1 > y0):
            raise DocumentInvalid(MSG_BOX, "x0")
        now = timezone.now()
        box = RedactionBox.objects.create(
            document=document,
            page=page,
            x0=x0,
            y0=y0,
            x1=x1,
            y1=y1,
            kind="manual",
            ground=ground,
            state=BoxState.ACCEPTED,
            created_by=by,
            decided_by=by,
            decided_at=now,
        )
        _mark_stale(document)
        _history(
            document.case,
            by,
            f"在《{document.title}》第{page}页添加遮盖区域",
            document_id=document.pk,
            box_id=box.pk,
            page=page,
            ground=Ground(ground).label,
        )
    return box


def box_decide(*, box_id: int, by, accept: bool, ground: str | None = None) -> RedactionBox:
    """Accept (with its ground, which the handler may change) or reject a box; a decided box
    may be decided again (a second look), each decision in the history."""
    with transaction.atomic():
        box = RedactionBox.objects.select_for_update().get(pk=box_id)
        document = _lock(box.document_id)
        _check_role(by, document.case, EDIT_ROLES)
        _check_open(document.case)
        _check_unreleased(document)
        old = (box.state, box.ground)
        box.state = BoxState.ACCEPTED if accept else BoxState.REJECTED
        if ground:
            box.ground = _ground(ground)
        if (box.state, box.ground) == old:
            return box
        box.decided_by, box.decided_at = by, timezone.now()
        box.save(update_fields=["state", "ground", "decided_by", "decided_at"])
        _mark_stale(document)
        _history(
            document.case,
            by,
            f"{'采纳' if accept else '驳回'}《{document.title}》第{box.page}页的遮盖区域",
            document_id=document.pk,
            box_id=box.pk,
            box_state=[BoxState(old[0]).label, BoxState(box.state).label],
            ground=[Ground(old[1]).label, Ground(box.ground).label],
        )
    return box


def engine_boxes(document: Document) -> list[engine.Box]:
    """The accepted boxes of a document, ready for the engine (labels from the ground)."""
    return [
        engine.Box(
            b.page - 1,
            b.x0,
            b.y0,
            b.x1,
            b.y1,
            kind=b.kind,
            label=f"{GROUND_LABELS[b.ground]}|{GROUND_SHORT[b.ground]}",
        )
        for b in document.boxes.filter(state=BoxState.ACCEPTED)
    ]


def document_redact(*, document_id: int, by) -> Document:
    """Make the released version from the accepted boxes (every proposal must be decided)."""
    with transaction.atomic():
        document = _lock(document_id)
        _check_role(by, document.case, EDIT_ROLES)
        _check_open(document.case)
        _check_unreleased(document)
        pending = document.boxes.filter(state=BoxState.PROPOSED).count()
        if pending:
            raise DocumentInvalid(MSG_PENDING.format(title=document.title, count=pending))
        with document.pdf.open("rb") as handle:
            released = engine.redact(handle.read(), engine_boxes(document))
        document.redacted.save(f"{document.pk}-released.pdf", ContentFile(released), save=False)
        document.redacted_sha256 = sha256_of(released)
        document.redacted_at = timezone.now()
        document.redaction_stale = False
        document.save(
            update_fields=["redacted", "redacted_sha256", "redacted_at", "redaction_stale"]
        )
        _history(
            document.case,
            by,
            f"生成《{document.title}》的公开版本",
            document_id=document.pk,
            boxes=document.boxes.filter(state=BoxState.ACCEPTED).count(),
            sha256=document.redacted_sha256,
        )
    return document


def document_set_withdrawn(*, document_id: int, by, withdrawn: bool) -> Document:
    """Keep a document on the case without releasing it (found, but not to be provided)."""
    with transaction.atomic():
        document = _lock(document_id)
        _check_role(by, document.case, EDIT_ROLES)
        _check_open(document.case)
        _check_unreleased(document)
        if document.withdrawn != withdrawn:
            document.withdrawn = withdrawn
            document.save(update_fields=["withdrawn"])
            _history(
                document.case,
                by,
                f"《{document.title}》{'不随答复提供' if withdrawn else '随答复提供'}",
                document_id=document.pk,
                withdrawn=withdrawn,
            )
    return document


def release_set(case: Case) -> list[Document]:
    return list(case.documents.filter(withdrawn=False).order_by("id"))


def release_fingerprint(documents: list[Document]) -> str:
    """What a sign-off approves: each released file by its checksum (any change voids it)."""
    parts = [f"{d.pk}:{d.redacted_sha256}:{int(d.redaction_stale)}" for d in documents]
    return sha256_of("\n".join(parts).encode())


def release_problems(case: Case) -> list[str]:
    """Why the release set cannot be signed off yet (empty when it can)."""
    documents = release_set(case)
    if not documents:
        return [MSG_NO_DOCUMENTS]
    problems = []
    for document in documents:
        pending = document.boxes.filter(state=BoxState.PROPOSED).count()
        if pending:
            problems.append(MSG_PENDING.format(title=document.title, count=pending))
        elif document.redaction_stale or not document.redacted:
            problems.append(MSG_STALE.format(title=document.title))
    return problems


@transaction.atomic
def release_signoff(*, case_id: int, by) -> ReleaseSignoff:
    """The approver approves the release set as it stands (every file made and unchanged)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    _check_role(by, case, {Role.APPROVER}, MSG_SIGNOFF_NOT_PERMITTED)
    _check_open(case)
    problems = release_problems(case)
    if problems:
        raise DocumentInvalid(problems[0])
    documents = release_set(case)
    signoff = ReleaseSignoff.objects.create(
        case=case,
        signed_by=by,
        fingerprint=release_fingerprint(documents),
        documents=[
            {"id": d.pk, "title": d.title, "pages": d.page_count, "sha256": d.redacted_sha256}
            for d in documents
        ],
    )
    _history(
        case,
        by,
        "审核通过公开文件",
        signoff_id=signoff.pk,
        documents=[d.pk for d in documents],
    )
    return signoff


def release_signoff_current(case: Case) -> ReleaseSignoff | None:
    """The latest sign-off if the release set is still what it approved, else None."""
    signoff = case.release_signoffs.order_by("-signed_at", "-id").first()
    documents = release_set(case)
    if signoff and documents and signoff.fingerprint == release_fingerprint(documents):
        return signoff
    return None


def release_gate_problem(case: Case) -> str | None:
    """The issuing gate for a disclosed / partially disclosed reply: when the case has
    documents to release, their set must be signed off as it stands."""
    if not release_set(case):
        return None
    return None if release_signoff_current(case) else MSG_NOT_SIGNED


def release_record(*, case: Case, letter_number: str, by) -> list[Document]:
    """The reply was issued: its documents are released (called in the issuing transaction)."""
    documents = release_set(case)
    now = timezone.now()
    for document in documents:
        document.released_at, document.released_with = now, letter_number
        document.save(update_fields=["released_at", "released_with"])
    if documents:
        _history(
            case,
            by,
            f"随答复（{letter_number}）提供公开文件{len(documents)}件",
            documents=[d.title for d in documents],
            pages=sum(d.page_count for d in documents),
        )
    publication_suggest(case)
    return documents


ART44_SIMILARITY = 0.8
ART44_LOOKBACK_DAYS = 365


def _applicant_key(case: Case) -> str:
    return case.applicant_id_number or case.applicant_credit_code or case.applicant_name.strip()


def publication_suggest(case: Case) -> PublicationSuggestion | None:
    """Art. 44: when at least ART44_MIN_APPLICANTS different applicants asked the same agency
    for similar information within a year, suggest proactive disclosure (one open suggestion
    per subject: a later similar case joins it)."""
    minimum = getattr(settings, "ART44_MIN_APPLICANTS", 3)
    since = case.received_on - dt.timedelta(days=ART44_LOOKBACK_DAYS)
    similar = [
        other
        for other in Case.objects.filter(agency_id=case.agency_id, received_on__gte=since)
        .exclude(pk=case.pk)
        .exclude(state=CaseState.VOID)
        .order_by("received_on", "id")[:500]
        if text_similarity(other.content, case.content) >= ART44_SIMILARITY
    ]
    cases = [*similar, case]
    if len({_applicant_key(c) for c in cases}) < minimum:
        return None
    suggestion = (
        PublicationSuggestion.objects.filter(agency_id=case.agency_id, cases__in=similar)
        .exclude(state=SuggestionState.DISMISSED)
        .distinct()
        .first()
    )
    if suggestion is None:
        suggestion = PublicationSuggestion.objects.create(
            agency_id=case.agency_id, subject=case.content
        )
    suggestion.cases.add(*cases)
    return suggestion


@transaction.atomic
def document_mark_publication(*, document_id: int, by, publish: bool) -> Document:
    """Mark a released document for proactive disclosure (Art. 44) — allowed after closing."""
    document = _lock(document_id)
    _check_role(by, document.case, EDIT_ROLES)
    if document.for_publication != publish:
        document.for_publication = publish
        document.save(update_fields=["for_publication"])
        _history(
            document.case,
            by,
            f"《{document.title}》{'拟' if publish else '不再拟'}转为主动公开",
            document_id=document.pk,
            for_publication=publish,
        )
    return document


@transaction.atomic
def suggestion_decide(*, suggestion_id: int, by, accept: bool, note: str = "") -> None:
    suggestion = PublicationSuggestion.objects.select_for_update().get(pk=suggestion_id)
    if by is None or not user_has_role(by, suggestion.agency_id, EDIT_ROLES):
        raise DocumentNotPermitted(MSG_DOCUMENTS_NOT_PERMITTED)
    suggestion.state = SuggestionState.ACCEPTED if accept else SuggestionState.DISMISSED
    suggestion.decided_by, suggestion.decided_at, suggestion.note = by, timezone.now(), note
    suggestion.save(update_fields=["state", "decided_by", "decided_at", "note"])
