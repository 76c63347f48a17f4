"""LibreOffice (headless) conversion to PDF: one place for the letters and the case documents.

The letters convert their .docx; the documents of a case (issue 14) convert .docx and .xlsx the
same way. Each run uses a throw-away LibreOffice profile and a fontconfig file that maps the
official fonts (仿宋, 小标宋…) to Noto CJK when they are absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

OFFICIAL_FONTS_CONF = (
    Path(__file__).resolve().parent.parent / "deploy" / "fonts" / ("65-ogi-official-fonts.conf")
)
MSG_NO_SOFFICE = "未安装 LibreOffice，无法转换 PDF"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_file(directory: Path) -> Path:
    """A fontconfig file for LibreOffice: the system's configuration plus the aliases that map
    the official fonts to Noto Serif CJK when they are absent, so a PDF keeps the official look
    without root access to /etc/fonts."""
    conf = directory / "fonts.conf"
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f'<fontconfig>\n  <include ignore_missing="yes">{system}</include>\n'
        f'  <include ignore_missing="yes">{OFFICIAL_FONTS_CONF}</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    return conf


def office_to_pdfs(documents: list[tuple[bytes, str]], *, timeout: int = 300) -> list[bytes]:
    """Convert office files (data, suffix such as ".docx" or ".xlsx") to PDF in one LibreOffice
    run (one start-up, not one per document), in order. Raises RuntimeError if any fails."""
    if not documents:
        return []
    binary = soffice_path()
    if not binary:
        raise RuntimeError(MSG_NO_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="office-pdf-") as tmp:
        sources = []
        for index, (data, suffix) in enumerate(documents):
            source = Path(tmp) / f"doc-{index:04d}{suffix}"
            source.write_bytes(data)
            sources.append(source)
        profile = Path(tmp) / "profile"
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(Path(tmp)))}
        result = subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                *(str(source) for source in sources),
            ],
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
        targets = [source.with_suffix(".pdf") for source in sources]
        if result.returncode != 0 or not all(target.exists() for target in targets):
            raise RuntimeError(f"PDF 转换失败：{result.stderr.decode(errors='replace')[-500:]}")
        return [target.read_bytes() for target in targets]


def office_to_pdf(data: bytes, suffix: str, *, timeout: int = 120) -> bytes:
    """Convert one office file to PDF. Raises RuntimeError if it fails."""
    return office_to_pdfs([(data, suffix)], timeout=timeout)[0]
