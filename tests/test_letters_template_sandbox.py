"""Letter templates render in Jinja's sandbox; a template reaching internal attributes is refused
at upload (service, admin, web page), and one smuggled into the database is never executed:
its letter is marked failed and reported, and the template is taken out of use (issue 10 item 1)."""

import io

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document

from letters import rendering, services
from letters.build_templates import build
from letters.models import Letter, LetterTemplate
from requests_app.models import CaseEvent
from tests.conftest import make_user

from .letters_support import TODAY, case_for_outcome, docx_text


@pytest.fixture(autouse=True)
def clerks_sign_off_receipts(city):
    """This agency lets its clerks issue receipts themselves (issue 11: an agency setting)."""
    city.clerks_issue_receipts = True
    city.save(update_fields=["clerks_issue_receipts"])


PAYLOADS = {
    "mro": "{{ ''.__class__.__mro__ }}",
    "globals": "{{ cycler.__init__.__globals__ }}",
    "subclasses": "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "on_a_placeholder": "{{ case_no.__class__ }}",
    "item": "{{ case_no['__class__'] }}",
    "format": "{{ '{0.__class__}'.format(case_no) }}",
    "attr_filter": "{{ case_no|attr('upper') }}",
}


def template_with(paragraph: str, key: str = "receipt") -> bytes:
    document = Document(io.BytesIO(build(key)))
    document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_template_reaching_beyond_its_placeholders_is_refused_at_upload(name, city, staff):
    with pytest.raises(rendering.TemplateUnsafe) as exc:
        services.template_upload(
            agency=city,
            by=staff["administrator"],
            key="receipt",
            data=template_with(PAYLOADS[name]),
            filename="evil.docx",
        )
    assert "出于安全原因不予接受" in exc.value.message or "不允许的过滤器" in exc.value.message
    assert not LetterTemplate.objects.exists()


def test_the_refusal_names_the_attribute():
    with pytest.raises(rendering.TemplateUnsafe) as exc:
        rendering.template_check(template_with(PAYLOADS["subclasses"]), "receipt")
    assert rendering.MSG_TEMPLATE_PRIVATE.format(name="__class__") in exc.value.errors
    assert rendering.MSG_TEMPLATE_PRIVATE.format(name="__base__") in exc.value.errors
    assert any(
        e.startswith("模板调用了函数或方法") and "__subclasses__" in e for e in exc.value.errors
    )


def test_the_sandbox_refuses_at_render_even_without_the_upload_check():
    """Defence in depth: the render itself runs in the sandbox and checks the tree first."""
    with pytest.raises(rendering.TemplateUnsafe):
        rendering.render_docx(template_with(PAYLOADS["mro"]), {"case_no": "x"})
    assert rendering._JINJA.globals == {} and "attr" not in rendering._JINJA.filters
    # The sandbox on its own (no tree check) refuses the internal attribute too.
    from jinja2.exceptions import SecurityError, UndefinedError

    with pytest.raises((SecurityError, UndefinedError)):
        rendering._JINJA.from_string("{{ ''.__class__.__mro__ }}").render()


def test_the_admin_upload_refuses_a_malicious_template(city):
    user = make_user("root-admin", city, "administrator")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    upload = io.BytesIO(template_with(PAYLOADS["mro"]))
    upload.name = "evil.docx"
    page = client.post(
        "/admin/letters/lettertemplate/add/",
        {"agency": city.id, "key": "receipt", "upload": upload},
    )
    assert page.status_code == 200
    assert "模板访问了内部属性“__class__”" in page.content.decode()
    assert not LetterTemplate.objects.exists()


def test_the_web_upload_refuses_a_malicious_template(client, city, staff):
    client.force_login(staff["administrator"])
    upload = io.BytesIO(template_with(PAYLOADS["globals"]))
    upload.name = "evil.docx"
    page = client.post(
        reverse("letters:template_upload"), {"agency": city.id, "key": "receipt", "file": upload}
    )
    assert "模板访问了内部属性“__init__”" in page.content.decode()
    assert not LetterTemplate.objects.exists()


def smuggle(city, data: bytes, key: str = "receipt") -> LetterTemplate:
    """A template written straight into the database, as one uploaded before the check."""
    template = LetterTemplate(
        agency=city, key=key, original_name="old.docx", sha256=rendering.sha256_hex(data)
    )
    template.file.save("old.docx", ContentFile(data), save=False)
    template.save()
    return template


def receipt_approved(city, staff, intake):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    services.letter_approve(letter_id=letter.id, by=staff["clerk"])
    return case, letter


@time_machine.travel(TODAY, tick=False)
def test_a_smuggled_template_in_force_is_refused_when_used_and_the_default_serves(
    city, staff, intake
):
    template = smuggle(city, template_with("{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    case, letter = receipt_approved(city, staff, intake)
    letter = services.letter_issue(letter_id=letter.id, by=staff["clerk"])
    assert letter.template is None and letter.render_status == "generated"
    assert "政府信息公开申请登记回执" in docx_text(letter.file.open("rb").read())
    template.refresh_from_db()
    assert template.refused_at is not None
    assert "模板访问了内部属性“__class__”" in template.refused_reason
    # Draft previews do not use it either.
    assert services.agency_template_bytes(city, "receipt") == rendering.default_template_bytes(
        "receipt"
    )


@time_machine.travel(TODAY, tick=False)
def test_a_template_changed_behind_the_application_is_not_executed_at_render(city, staff, intake):
    """A letter issued with an accepted upload whose stored file was then replaced: the render
    refuses it unexecuted, the letter is marked failed and reported, the template refused."""
    template = smuggle(city, template_with("本机关特别提示。"))
    case, letter = receipt_approved(city, staff, intake)
    original = services.issue.letter_render  # letter_issue looks it up in letters.services.issue
    services.issue.letter_render = lambda **kwargs: Letter.objects.get(pk=kwargs["letter_id"])
    try:  # issued; the render is still to come (a worker, the sweep)
        letter = services.letter_issue(letter_id=letter.id, by=staff["clerk"])
    finally:
        services.issue.letter_render = original
    assert letter.template_id == template.pk and letter.render_status == "pending"
    with open(template.file.path, "wb") as handle:  # smuggled in behind the upload check
        handle.write(template_with(PAYLOADS["subclasses"]))
    letter = services.letter_render(letter_id=letter.id)
    assert letter.state == "issued" and letter.render_status == "failed" and not letter.file
    assert letter.render_error.startswith(services.MSG_TEMPLATE_UNSAFE)
    assert "模板访问了内部属性“__class__”" in letter.render_error
    event = CaseEvent.objects.get(case=case, transition="letter_render_failed")
    assert event.reason == letter.render_error
    template.refresh_from_db()
    assert template.refused_at is not None and "__class__" in template.refused_reason
    # Rendering it again fails the same way, and the history says it once.
    services.letter_render(letter_id=letter.id)
    assert Letter.objects.get(pk=letter.pk).render_status == "failed"
    assert CaseEvent.objects.filter(case=case, transition="letter_render_failed").count() == 1


def test_the_recheck_command_takes_unsafe_uploads_out_of_use(city, staff, capsys):
    good = smuggle(city, template_with("本机关特别提示。"))
    bad = smuggle(city, template_with(PAYLOADS["format"]))
    assert LetterTemplate.objects.filter(refused_at__isnull=True).first() == bad
    call_command("check_letter_templates")
    out = capsys.readouterr().out
    assert "已停用" in out and "old.docx" in out and "停用 1 个模板" in out
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.refused_at is not None and good.refused_at is None
    assert services.template_in_force(city, "receipt") == good
    call_command("check_letter_templates")  # safe to run twice
    assert "停用 0 个模板" in capsys.readouterr().out
