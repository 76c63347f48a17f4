"""Attachments of a case (scans of the letter and the envelope, supplement materials):
checked by content (not by the name the browser sends), fingerprinted, stored, and written
into the case's history in the same transaction."""

from __future__ import annotations

import hashlib
import os

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..history import history_write
from ..models import Attachment, AttachmentKind, Case, EventKind

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # 10 MB: a multi-page scan at office resolution

# Allowed types, recognised by their first bytes (magic numbers).
SIGNATURES: list[tuple[bytes, str, set[str]]] = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"II*\x00", "image/tiff", {".tif", ".tiff"}),
    (b"MM\x00*", "image/tiff", {".tif", ".tiff"}),
]

MSG_ATTACHMENT_TYPE = "文件类型不支持：只能上传 PDF、JPEG、PNG 或 TIFF 文件"
MSG_ATTACHMENT_EXTENSION = "文件扩展名与内容不符（内容为{kind}）"
MSG_ATTACHMENT_SIZE = "文件过大：不能超过 {limit} MB（该文件 {size:.1f} MB）"
MSG_ATTACHMENT_EMPTY = "文件为空"


class AttachmentInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def attachment_content_type(upload: UploadedFile) -> str:
    """Check size and type of an uploaded file; return its real content type or raise."""
    size = upload.size or 0
    if size == 0:
        raise AttachmentInvalid(MSG_ATTACHMENT_EMPTY)
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentInvalid(
            MSG_ATTACHMENT_SIZE.format(
                limit=MAX_ATTACHMENT_BYTES // (1024 * 1024), size=size / 1048576
            )
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = os.path.splitext(upload.name or "")[1].lower()
    for magic, content_type, extensions in SIGNATURES:
        if head.startswith(magic):
            if extension not in extensions:
                raise AttachmentInvalid(MSG_ATTACHMENT_EXTENSION.format(kind=content_type))
            return content_type
    raise AttachmentInvalid(MSG_ATTACHMENT_TYPE)


def attachments_check(uploads: dict[str, UploadedFile | None]) -> dict[str, str]:
    """Check several uploads (field name → file); return {field: Chinese message}."""
    errors: dict[str, str] = {}
    for field, upload in uploads.items():
        if upload is None:
            continue
        try:
            attachment_content_type(upload)
        except AttachmentInvalid as exc:
            errors[field] = exc.message
    return errors


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(
    *, case: Case, kind: str, upload: UploadedFile, by, reason: str = ""
) -> Attachment:
    """Store one checked file on the case with its checksum, and record it in the history."""
    if kind not in AttachmentKind.values:
        raise AttachmentInvalid(f"未知的附件类型“{kind}”")
    content_type = attachment_content_type(upload)
    sha256 = _sha256(upload)
    original_name = os.path.basename(upload.name or "file")[:200]
    attachment = Attachment(
        case=case,
        kind=kind,
        original_name=original_name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=by,
    )
    attachment.file.save(original_name, upload, save=False)
    attachment.save()
    history_write(
        case=case,
        kind=EventKind.ATTACHMENT,
        by=by,
        reason=reason or f"上传{AttachmentKind(kind).label}",
        changes={
            "attachment_id": attachment.pk,
            "kind": kind,
            "name": original_name,
            "size": attachment.size,
            "sha256": sha256,
        },
    )
    return attachment
