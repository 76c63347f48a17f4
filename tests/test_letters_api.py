"""Letters API: draft → approve → issue → file; wrong role 403, other agency 404, bad input 400."""

import time_machine
from rest_framework.test import APIClient

from letters import samples
from tests.conftest import make_user

from .letters_support import TODAY, case_for_outcome, docx_text


@time_machine.travel(TODAY, tick=False)
def test_api_letter_journey(city, staff, intake, other_agency):
    case = case_for_outcome("withheld.third_party_rights", agency=city, staff=staff, intake=intake)
    api = APIClient()
    api.force_authenticate(staff["handler"])
    response = api.post(
        f"/api/v1/requests/{case.public_id}/letters/", {"kind": "nonsense"}, format="json"
    )
    assert response.status_code == 400 and "kind" in str(response.json())
    response = api.post(
        f"/api/v1/requests/{case.public_id}/letters/", {"kind": "reply"}, format="json"
    )
    assert response.status_code == 201, response.json()
    letter_id = response.json()["id"]
    assert response.json()["outcome"] == "withheld.third_party_rights"
    fields = {f["name"]: f for f in response.json()["detail_fields"]}
    assert fields["withhold_reason"]["required"] and fields["withhold_reason"]["hint"]
    assert response.json()["details"]["withhold_reason"] == "", "the hint is beside, not inside"
    response = api.post(f"/api/v1/letters/{letter_id}/approve/")
    assert response.status_code == 403
    api.force_authenticate(staff["approver"])
    assert api.post(f"/api/v1/letters/{letter_id}/issue/", {}, format="json").status_code == 409
    # The draft's reasons start empty: the issuing gate refuses, naming the field.
    response = api.post(f"/api/v1/letters/{letter_id}/approve/")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["withhold_reason"]
    response = api.post(
        f"/api/v1/letters/{letter_id}/edit/",
        {"details": samples.reply_details("withheld.third_party_rights")},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert api.post(f"/api/v1/letters/{letter_id}/approve/").status_code == 200
    response = api.post(f"/api/v1/letters/{letter_id}/issue/", {}, format="json")
    assert response.status_code == 200 and response.json()["number"] == "淄政办信复〔2026〕1号"
    file = api.get(f"/api/v1/letters/{letter_id}/file/")
    assert file.status_code == 200 and file["X-Content-SHA256"] == response.json()["sha256"]
    assert "应当先向淄博市人民政府申请行政复议" in docx_text(file.content)
    listing = api.get(f"/api/v1/requests/{case.public_id}/letters/").json()
    assert [row["state"] for row in listing] == ["issued"]
    api.force_authenticate(staff["clerk"])
    response = api.post(
        f"/api/v1/letters/{letter_id}/deliveries/",
        {"method": "post", "sent_on": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["fields"] == {
        "tracking_number": "邮寄送达请填写邮件单号"
    }
    api.force_authenticate(make_user("api-stranger", other_agency, "handler", "approver"))
    assert api.get(f"/api/v1/letters/{letter_id}/").status_code == 404
    assert api.get(f"/api/v1/requests/{case.public_id}/letters/").status_code == 404
