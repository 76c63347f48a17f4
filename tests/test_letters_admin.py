"""Admin: letters read-only; template upload checked, refused uploads save nothing."""

import io

import time_machine
from django.test import Client

from letters import services
from letters.build_templates import build
from letters.models import LetterTemplate
from tests.conftest import make_user

from .letters_support import TODAY, case_for_outcome


def superuser_client(city):
    user = make_user("root-admin", city, "administrator")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_template_upload_in_admin(city):
    client = superuser_client(city)
    bad = io.BytesIO(b"not a docx")
    bad.name = "bad.docx"
    page = client.post(
        "/admin/letters/lettertemplate/add/", {"agency": city.id, "key": "receipt", "upload": bad}
    )
    assert page.status_code == 200 and "不是有效的 Word" in page.content.decode()
    assert not LetterTemplate.objects.exists()
    good = io.BytesIO(build("receipt"))
    good.name = "receipt.docx"
    response = client.post(
        "/admin/letters/lettertemplate/add/", {"agency": city.id, "key": "receipt", "upload": good}
    )
    assert response.status_code == 302
    template = LetterTemplate.objects.get()
    assert (
        template.key == "receipt"
        and template.file.name.endswith(".docx")
        and len(template.sha256) == 64
    )


@time_machine.travel(TODAY, tick=False)
def test_letters_are_read_only_in_admin(city, staff, intake):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="reply")
    client = superuser_client(city)
    assert client.get("/admin/letters/letter/").status_code == 200
    assert client.get(f"/admin/letters/letter/{letter.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/letters/letter/{letter.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
