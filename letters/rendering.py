"""Rendering: pure functions from a context dict and template bytes to .docx bytes (no ORM).

`render_docx(template_bytes, context)` fills a docxtpl template; `template_check(data, key)`
validates an uploaded template; `docx_to_pdf(data)` converts through LibreOffice."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from pathlib import Path

import jinja2
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from common.office import (  # noqa: F401 (soffice_path, OFFICIAL_FONTS_CONF: re-exported)
    OFFICIAL_FONTS_CONF,
    fontconfig_file,
    office_to_pdfs,
    soffice_path,
)
from requests_app.rules import RuleViolation

from .placeholders import REQUIRED, known_placeholders

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "letters"

MSG_NOT_DOCX = "上传的文件不是有效的 Word（.docx）文档"
MSG_UNKNOWN_PLACEHOLDERS = "模板使用了系统不认识的占位符：{names}"
MSG_MISSING_PLACEHOLDERS = "模板缺少必需的占位符：{names}"
MSG_TEMPLATE_RENDER = "模板无法生成文书：{error}"
MSG_TEMPLATE_SYNTAX = "模板语法错误：{error}"
MSG_TEMPLATE_PRIVATE = (
    "模板访问了内部属性“{name}”，出于安全原因不予接受（不得使用以下划线开头的属性）"
)
MSG_TEMPLATE_CALL = (
    "模板调用了函数或方法“{name}”，出于安全原因不予接受（文书模板只能使用占位符、条件和循环）"
)
MSG_TEMPLATE_FILTER = "模板使用了不允许的过滤器“{name}”（允许的过滤器：{allowed}）"
MSG_TEMPLATE_TAG = "模板使用了不允许的标签“{name}”（文书模板不得引用其他模板或定义宏）"


class TemplateInvalid(RuleViolation):
    """An uploaded template was refused; `errors` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors), "file")
        self.errors = errors


class TemplateUnsafe(TemplateInvalid):
    """A template reaches beyond its placeholders (internal attributes, calls, other templates);
    refused at upload and never rendered."""


# The filters a letter template may use: text and list helpers only (the default templates use
# none). Everything else, `attr` and `map` included, is absent from the environment.
ALLOWED_FILTERS = ("default", "d", "escape", "e", "trim", "join", "length", "first", "last")
_UNSAFE_TAGS = {
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from … import",
    nodes.Extends: "extends",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
}


def _sandbox() -> ImmutableSandboxedEnvironment:
    """Jinja's sandbox (no internal attributes, no unsafe calls, immutable values), with only
    ALLOWED_FILTERS and no globals (no `cycler`, `joiner`, `lipsum`, `namespace`, `range`)."""
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.globals = {}
    return env


_JINJA = _sandbox()


def _node_name(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_node_name(node.node)}.{node.attr}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return type(node).__name__.lower()


def template_safety_problems(source: str) -> list[str]:
    """What makes a template unsafe to render, read from its syntax tree without running it:
    an internal attribute (`__class__`, `_x`), a function or method call, a filter outside
    ALLOWED_FILTERS, a tag that reaches other templates. Raises jinja2.TemplateSyntaxError."""
    tree = _JINJA.parse(source)
    problems: list[str] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            name = node.arg.value
        else:
            continue
        if name.startswith("_"):
            problems.append(MSG_TEMPLATE_PRIVATE.format(name=name))
    for node in tree.find_all(nodes.Call):
        problems.append(MSG_TEMPLATE_CALL.format(name=_node_name(node.node)))
    for node in tree.find_all(nodes.Filter):
        if node.name not in ALLOWED_FILTERS:
            problems.append(
                MSG_TEMPLATE_FILTER.format(name=node.name, allowed="、".join(ALLOWED_FILTERS))
            )
    for kind, name in _UNSAFE_TAGS.items():
        if any(True for _ in tree.find_all(kind)):
            problems.append(MSG_TEMPLATE_TAG.format(name=name))
    return list(dict.fromkeys(problems))


def _safe_template(source: str) -> jinja2.Template:
    problems = template_safety_problems(source)
    if problems:
        raise TemplateUnsafe(problems)
    return _JINJA.from_string(source)


@functools.lru_cache(maxsize=64)
def default_template_bytes(key: str) -> bytes:
    return (DEFAULT_TEMPLATE_DIR / f"{key}.docx").read_bytes()


class _Compiled:
    """A template prepared once: the package's unchanging parts compressed once into a base
    archive, and a compiled Jinja template for each part that holds placeholders (document,
    headers, footers). A render copies the base and appends the filled parts."""

    def __init__(self, template: bytes):
        helper = DocxTemplate(io.BytesIO(template))  # docxtpl's tag clean-up (split runs, {%p})
        self.helper = helper
        self.parts: list[tuple[zipfile.ZipInfo, jinja2.Template]] = []
        base = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(template)) as package,
            zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for info in package.infolist():
                data = package.read(info.filename)
                name = info.filename
                is_part = name == "word/document.xml" or (
                    name.startswith(("word/header", "word/footer")) and name.endswith(".xml")
                )
                if is_part and b"{" in data:
                    xml = helper.patch_xml(data.decode("utf-8"))
                    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
                    self.parts.append((info, _safe_template(xml)))
                else:
                    out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        self.base = base.getvalue()

    def render(self, context: dict) -> bytes:
        out = io.BytesIO(self.base)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
            for info, template in self.parts:
                xml = template.render(context)
                xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
                xml = (
                    xml.replace("{_{", "{{")
                    .replace("}_}", "}}")
                    .replace("{_%", "{%")
                    .replace("%_}", "%}")
                )
                data = self.helper.resolve_listing(xml).encode("utf-8")
                package.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()


@functools.lru_cache(maxsize=128)
def _compiled(template: bytes) -> _Compiled:
    return _Compiled(template)


def template_safety_check(template: bytes) -> None:
    """Raise TemplateUnsafe if the template reaches beyond its placeholders (compiled once and
    cached, as a render would)."""
    _compiled(template)


def render_docx(template: bytes, context: dict) -> bytes:
    """Fill the template with the context (strings and lists of strings). Pure: no database,
    no clock; the same inputs give the same document. Values are XML-escaped. The template is
    checked and rendered in Jinja's sandbox: an unsafe one raises TemplateUnsafe, unrendered."""
    return _compiled(template).render(context)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_placeholders(data: bytes) -> set[str]:
    """The variables a docxtpl template uses (loop variables excluded). Parses, never runs."""
    document = DocxTemplate(io.BytesIO(data))
    return set(document.get_undeclared_template_variables(jinja_env=_sandbox()))


def template_sources(data: bytes) -> list[str]:
    """The Jinja source of each part of the package that holds placeholders (document, headers,
    footers), as docxtpl prepares it for rendering."""
    helper = DocxTemplate(io.BytesIO(data))
    sources = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            is_part = name == "word/document.xml" or (
                name.startswith(("word/header", "word/footer")) and name.endswith(".xml")
            )
            if is_part:
                sources.append(helper.patch_xml(package.read(name).decode("utf-8")))
    return sources


def template_check(data: bytes, key: str) -> set[str]:
    """Accept a replacement template for `key` or raise TemplateInvalid listing every problem."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateInvalid([MSG_NOT_DOCX])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "word/document.xml" not in package.namelist():
                raise TemplateInvalid([MSG_NOT_DOCX])
        unsafe = [p for source in template_sources(data) for p in template_safety_problems(source)]
        if unsafe:
            raise TemplateUnsafe(list(dict.fromkeys(unsafe)))
        used = template_placeholders(data)
    except TemplateInvalid:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateInvalid([MSG_TEMPLATE_SYNTAX.format(error=exc.message)]) from exc
    except Exception as exc:  # a corrupt package: python-docx raises several kinds
        raise TemplateInvalid([MSG_NOT_DOCX]) from exc
    errors = []
    unknown = used - known_placeholders(key)
    if unknown:
        errors.append(MSG_UNKNOWN_PLACEHOLDERS.format(names="、".join(sorted(unknown))))
    missing = REQUIRED[key] - used
    if missing:
        errors.append(MSG_MISSING_PLACEHOLDERS.format(names="、".join(sorted(missing))))
    if errors:
        raise TemplateInvalid(errors)
    # A last proof: it renders with a complete sample context and reads back as a document.
    sample: dict = {name: f"〔{name}〕" for name in known_placeholders(key)}
    sample.update(draft=True, body=["〔正文〕"], fee_lines=["〔计费明细〕"])
    try:
        Document(io.BytesIO(render_docx(data, sample)))
    except Exception as exc:
        raise TemplateInvalid([MSG_TEMPLATE_RENDER.format(error=exc)]) from exc
    return used


# LibreOffice conversion lives in common/office.py (shared with the case documents).
_fontconfig_file = fontconfig_file


def docx_to_pdf(data: bytes, *, timeout: int = 120) -> bytes:
    """Convert a .docx to PDF with LibreOffice (headless). Raises RuntimeError if it fails."""
    return docx_to_pdfs([data], timeout=timeout)[0]


def docx_to_pdfs(documents: list[bytes], *, timeout: int = 300) -> list[bytes]:
    """Convert several .docx files to PDF in one LibreOffice run (one start-up, not one per
    document), in order. Raises RuntimeError if any fails."""
    return office_to_pdfs([(data, ".docx") for data in documents], timeout=timeout)
