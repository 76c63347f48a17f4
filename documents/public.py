"""What the layers above read of a case's documents (the agreed seam, brief-interfaces):
the released documents, their files, the e-mail attachments, the page count for the fee, and
the lines a disclosure reply prints about them."""

from __future__ import annotations

from typing import IO

from common.downloads import download_name
from requests_app.models import Case

from .grounds import GROUND_CITATIONS
from .models import BoxState, Document, RedactionBox
from .services import release_set


def released_documents(case: Case) -> list[Document]:
    """The documents released with the case's reply (objects with .id, .title, .page_count,
    .sha256 — the checksum of the released, redacted PDF), in order."""
    return list(
        case.documents.filter(withdrawn=False, released_at__isnull=False)
        .exclude(redacted="")
        .order_by("id")
    )


def open_released_file(document: Document) -> IO[bytes]:
    """The released (redacted) PDF, opened for reading in binary mode (never the original)."""
    if document.released_at is None or not document.redacted:
        raise ValueError("document not released")
    return document.redacted.open("rb")


def release_filename(document: Document) -> str:
    return download_name(document.case.case_no, document.title, ext="pdf")


def release_attachments(case: Case) -> list[tuple[str, bytes, str]]:
    """The released PDFs as e-mail attachments: (filename, bytes, "application/pdf")."""
    attachments = []
    for document in released_documents(case):
        with open_released_file(document) as handle:
            attachments.append((release_filename(document), handle.read(), "application/pdf"))
    return attachments


def release_page_count(case: Case) -> int:
    """Pages the reply provides (按量计收 of 国办函〔2020〕109号 counts pages): the release
    set before issue, the released documents after."""
    documents = released_documents(case) or release_set(case)
    return sum(d.page_count for d in documents)


def grounds_used(case: Case) -> list[str]:
    """The grounds of the accepted boxes of the release set, in the fixed list's order."""
    used = set(
        RedactionBox.objects.filter(
            document__case=case, document__withdrawn=False, state=BoxState.ACCEPTED
        ).values_list("ground", flat=True)
    )
    return [g for g in GROUND_CITATIONS if g in used]


def reply_release_lines(case: Case) -> list[str]:
    """What a disclosure reply says about the documents: each one with its pages and the pages
    partly covered, then the grounds of the covered parts (matching the redaction log)."""
    documents = release_set(case)
    if not documents:
        return []
    lines = [f"随本答复向您提供以下政府信息，共{len(documents)}件："]
    for number, document in enumerate(documents, start=1):
        pages = sorted(
            set(document.boxes.filter(state=BoxState.ACCEPTED).values_list("page", flat=True))
        )
        covered = f"，其中第{'、'.join(map(str, pages))}页部分内容已作遮盖处理" if pages else ""
        lines.append(f"{number}．《{document.title}》，共{document.page_count}页{covered}。")
    grounds = grounds_used(case)
    if grounds:
        lines.append(
            "遮盖部分不予公开，依据为" + "；".join(GROUND_CITATIONS[g] for g in grounds) + "。"
        )
    return lines
