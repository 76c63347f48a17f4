"""The one issuing gate (issue 9 item 1): for each variant, a letter whose required detail is
empty, a template hint, or only the outcome's category (or a generic "有关条款" basis) is
refused at approval — through the service, the web page, the API and the admin — with the field
named, and nothing changes; with real content it goes through. Also at issue, for a letter
approved before the gate existed; drafts start with their reasons empty; the approver cannot
sign off a reply whose outcome is not the case's proposed one."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from letters import checks, compose, samples, services, variants
from letters.models import Letter, LetterKind
from requests_app.outcomes import Outcome
from requests_app.rules import RuleViolation
from requests_app.services import cases as svc

from .letters_support import TODAY, case_for_outcome

D = dt.date
LEGACY_HINT = "（请写明具体理由及依据条款）"


def old_default(outcome: str) -> str:
    """The reason the drafts used to carry: the category label and the article, nothing else."""
    label = Outcome(outcome).label.split("：", 1)[-1]
    return f"该信息{label}，依据《中华人民共和国政府信息公开条例》第十四条不予公开。"


S = samples.REPLY_DETAILS
H = {name: f.hint for name, f in variants.FIELDS.items()}
# id: (outcome, good details, field under test, bad values)
REPLY_GATES = {
    "partially_disclosed": (
        "partially_disclosed",
        S["partially_disclosed"],
        "withhold_reason",
        [
            "",
            H["withhold_reason"],
            "不予公开部分涉及第三方合法权益" + LEGACY_HINT + "。",
            "部分公开",
        ],
    ),
    "partially_disclosed-ground": (
        "partially_disclosed",
        S["partially_disclosed"],
        "withheld_ground",
        ["", "withheld.administrative_query"],
    ),
    "withheld.state_secret": (
        "withheld.state_secret",
        S["withheld.state_secret"],
        "withhold_reason",
        ["", LEGACY_HINT, old_default("withheld.state_secret"), "属于国家秘密"],
    ),
    "withheld.state_secret-basis": (
        "withheld.state_secret",
        S["withheld.state_secret"],
        "secret_basis",
        ["", H["secret_basis"], "有关规定"],
    ),
    "withheld.prohibited_by_law": (
        "withheld.prohibited_by_law",
        S["withheld.prohibited_by_law"],
        "withhold_reason",
        ["", H["withhold_reason"], old_default("withheld.prohibited_by_law")],
    ),
    "withheld.prohibited_by_law-law": (
        "withheld.prohibited_by_law",
        S["withheld.prohibited_by_law"],
        "prohibiting_law",
        ["", H["prohibiting_law"], "条例有关条款", "有关条款", "《中华人民共和国统计法》"],
    ),
    "withheld.three_safeties_one_stability": (
        "withheld.three_safeties_one_stability",
        S["withheld.three_safeties_one_stability"],
        "withhold_reason",
        [
            "",
            LEGACY_HINT,
            "危及“三安全一稳定”",
            old_default("withheld.three_safeties_one_stability"),
        ],
    ),
    "withheld.third_party_rights": (
        "withheld.third_party_rights",
        S["withheld.third_party_rights"],
        "withhold_reason",
        ["", H["withhold_reason"], "保护第三方合法权益", "涉及第三方合法权益，不予公开。"],
    ),
    "withheld.third_party_rights-why": (
        "withheld.third_party_rights",
        S["withheld.third_party_rights"],
        "not_consulted_why",
        ["", LEGACY_HINT],
    ),
    "withheld.internal_affairs": (
        "withheld.internal_affairs",
        S["withheld.internal_affairs"],
        "withhold_reason",
        [
            "",
            H["withhold_reason"],
            "属于三类内部事务信息",
            old_default("withheld.internal_affairs"),
        ],
    ),
    "withheld.process_information": (
        "withheld.process_information",
        S["withheld.process_information"],
        "withhold_reason",
        [
            "",
            LEGACY_HINT,
            "属于四类过程性信息",
            "该信息属于过程性信息，依据条例第十六条第二款不予公开。",
        ],
    ),
    "withheld.process_information-proviso": (
        "withheld.process_information",
        S["withheld.process_information"],
        "proviso",
        [""],
    ),
    "withheld.enforcement_case_file": (
        "withheld.enforcement_case_file",
        S["withheld.enforcement_case_file"],
        "withhold_reason",
        ["", H["withhold_reason"], "属于行政执法案卷"],
    ),
    "withheld.administrative_query": (
        "withheld.administrative_query",
        S["withheld.administrative_query"],
        "special_law",
        ["", H["special_law"], "有关法律法规", "条例有关条款"],
    ),
    "withheld.administrative_query-place": (
        "withheld.administrative_query",
        S["withheld.administrative_query"],
        "query_place",
        ["", H["query_place"]],
    ),
    "disclosed": ("disclosed", S["disclosed"], "disclosure_way", ["", "yes"]),
    "disclosed-on-site": ("disclosed", samples.ON_SITE, "access_place", ["", H["access_place"]]),
    "disclosed-already-public": (
        "disclosed",
        samples.ALREADY_PUBLIC,
        "access",
        ["", H["access"]],
    ),
    "unavailable.not_held": (
        "unavailable.not_held",
        S["unavailable.not_held"],
        "not_held_basis",
        [""],
    ),
    "unavailable.not_held-36-5": (
        "unavailable.not_held",
        samples.OTHER_AGENCY,
        "not_ours_reason",
        ["", H["not_ours_reason"], "本机关不掌握相关政府信息", "经检索，该信息在本机关不存在。"],
    ),
    "unavailable.not_held-36-5-contact": (
        "unavailable.not_held",
        samples.OTHER_AGENCY,
        "responsible_contact",
        [""],
    ),
    "not_processed.petition_complaint": (
        "not_processed.petition_complaint",
        S["not_processed.petition_complaint"],
        "channel",
        ["", H["channel"]],
    ),
    "not_processed.repeated": (
        "not_processed.repeated",
        S["not_processed.repeated"],
        "earlier_number",
        ["", H["earlier_number"]],
    ),
    "not_processed.repeated-date": (
        "not_processed.repeated",
        S["not_processed.repeated"],
        "earlier_date",
        ["", "九月"],
    ),
    "not_processed.excessive": (
        "not_processed.excessive",
        S["not_processed.excessive"],
        "excessive_reason",
        ["", H["excessive_reason"], "无正当理由大量反复申请"],
    ),
    "not_processed.confirm_or_reissue": (
        "not_processed.confirm_or_reissue",
        S["not_processed.confirm_or_reissue"],
        "confirm_explanation",
        ["", H["confirm_explanation"], "要求行政机关确认或重新出具已获取信息"],
    ),
    "other.other": (
        "other.other",
        samples.OTHER_ENDING,
        "other_basis",
        ["", "条例有关条款", "有关规定"],
    ),
    "other.other-reason": (
        "other.other",
        samples.OTHER_ENDING,
        "other_reason",
        ["", "（请写明处理情况及所依据的法律、行政法规条款。）", "其他处理：其他"],
    ),
}


@pytest.fixture
def channels(staff):
    """One way to ask for the sign-off per interface; each returns (refused, text naming it)."""
    approver = staff["approver"]
    approver.is_staff = approver.is_superuser = True  # the admin
    approver.save()
    web = Client()
    web.force_login(approver)
    api = APIClient()
    api.force_authenticate(approver)

    def service(letter, field):
        try:
            services.letter_approve(letter_id=letter.id, by=approver)
        except RuleViolation as exc:
            return exc.field == field, exc.message
        return False, "approved"

    def page(letter, field):
        response = web.post(reverse("letters:letter_approve", args=[letter.public_id]))
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        return response.status_code == 302 and bool(texts) and "已审核通过" not in texts, texts

    def rest(letter, field):
        response = api.post(f"/api/v1/letters/{letter.public_id}/approve/")
        body = response.json()
        return response.status_code == 400 and field in body["error"]["fields"], body

    def admin(letter, field):
        response = web.post(
            "/admin/letters/letter/",
            {"action": "approve_letters", "_selected_action": [str(letter.pk)]},
        )
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        return any(f"（{field}）" in t for t in texts), texts

    return {"service": service, "web": page, "api": rest, "admin": admin}


def _label_named(text, field: str) -> bool:
    label = variants.FIELDS[field].label
    return label in str(text) or field in str(text)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("gate", REPLY_GATES)
def test_reply_gate_refuses_empty_hint_and_label_only(gate, city, staff, intake, channels):
    outcome, good, field, bad_values = REPLY_GATES[gate]
    case = case_for_outcome(outcome, agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="reply", details=good)
    for bad in bad_values:
        services.letter_update(letter_id=letter.id, by=staff["handler"], details={field: bad})
        for name, attempt in channels.items():
            refused, said = attempt(letter, field)
            assert refused, (gate, bad, name, said)
            assert name == "api" or _label_named(said, field), (gate, bad, name, said)
            letter.refresh_from_db()
            assert letter.state == "draft" and letter.approved_by is None, (gate, bad, name)
    # With the handler's real content the same sign-off goes through.
    services.letter_update(
        letter_id=letter.id, by=staff["handler"], details={field: good.get(field, "")}
    )
    if field not in good:  # a field the good variant does not need: clear it
        services.letter_update(letter_id=letter.id, by=staff["handler"], details=good)
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter.refresh_from_db()
    assert letter.state == "approved"


# --- notices drafted by their actions: the same gate -------------------------------------------
def _supplement_case(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_supplement(
        case_id=case.id,
        by=staff["handler"],
        missing="请写明所需统计台账的年份和名称",
        due=D(2026, 10, 20),
        on=D(2026, 9, 28),
    )
    return case


def _extension_case(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_extension(case_id=case.id, by=staff["handler"], days=10, reason="需调取档案")
    svc.case_approve_extension(case_id=case.id, by=staff["approver"])
    return case


def _consultation_case(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_start_consultation(case_id=case.id, by=staff["handler"], party="淄博某某化工有限公司")
    return case


NOTICE_GATES = {
    "supplement_notice": (
        _supplement_case,
        "missing",
        ["", H["missing"], "（请写明需要补正的事项）"],
        "请写明所需统计台账的年份和名称",
    ),
    "extension_notice": (
        _extension_case,
        "extension_reason",
        ["", H["extension_reason"]],
        "需调取2019年以前的纸质档案，档案已移交市档案馆。",
    ),
    "consultation_letter": (_consultation_case, "consultee_kind", ["", "nobody"], "third_party"),
}


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
@pytest.mark.parametrize("kind", NOTICE_GATES)
def test_notice_drafted_by_its_action_passes_the_same_gate(kind, city, staff, intake, channels):
    make, field, bad_values, good = NOTICE_GATES[kind]
    case = make(city, staff, intake)
    letter = Letter.objects.get(case=case, kind=kind)  # drafted by the action
    for bad in bad_values:
        services.letter_update(letter_id=letter.id, by=staff["handler"], details={field: bad})
        for name, attempt in channels.items():
            refused, said = attempt(letter, field)
            assert refused, (kind, bad, name, said)
            letter.refresh_from_db()
            assert letter.state == "draft"
    services.letter_update(letter_id=letter.id, by=staff["handler"], details={field: good})
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert letter.state == "issued"


# --- at issue: a letter approved before the gate existed ---------------------------------------
@time_machine.travel(TODAY, tick=False)
def test_issue_refuses_a_hint_approved_before_the_gate(city, staff, intake):
    case = case_for_outcome("withheld.state_secret", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details=S["withheld.state_secret"]
    )
    legacy = {**letter.details, "withhold_reason": "该信息属于国家秘密" + LEGACY_HINT}
    Letter.objects.filter(pk=letter.pk).update(details=legacy, state="approved")
    approver = staff["approver"]
    with pytest.raises(RuleViolation) as exc:
        services.letter_issue(letter_id=letter.id, by=approver)
    assert exc.value.field == "withhold_reason"
    web = Client()
    web.force_login(approver)
    response = web.post(
        reverse("letters:letter_issue", args=[letter.public_id]), {"on": "2026-11-20"}
    )
    assert any("不予公开的理由" in str(m) for m in get_messages(response.wsgi_request))
    api = APIClient()
    api.force_authenticate(approver)
    response = api.post(f"/api/v1/letters/{letter.public_id}/issue/", {}, format="json")
    assert response.status_code == 400 and "withhold_reason" in response.json()["error"]["fields"]
    approver.is_staff = approver.is_superuser = True
    approver.save()
    response = web.post(
        "/admin/letters/letter/", {"action": "issue_letters", "_selected_action": [str(letter.pk)]}
    )
    assert any("（withhold_reason）" in str(m) for m in get_messages(response.wsgi_request))
    letter.refresh_from_db()
    assert letter.state == "approved" and not letter.number


# --- drafts start empty; the outcome is checked at sign-off -------------------------------------
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "outcome",
    [
        "partially_disclosed",
        *variants.GROUNDS,
        "withheld.administrative_query",
        "unavailable.not_held",
        "not_processed.repeated",
    ],
)
def test_drafts_start_with_required_details_empty(outcome, city, staff, intake):
    case = case_for_outcome(outcome, agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="reply")
    required = variants.required_fields("reply", outcome, letter.details)
    assert required and all(not letter.details.get(f.name) for f in required), letter.details
    assert "请写明" not in letter.body and "（请" not in str(letter.details)
    with pytest.raises(RuleViolation) as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field in {f.name for f in required}


@time_machine.travel(TODAY, tick=False)
def test_withdrawal_reply_needs_nothing_more(city, staff, intake):
    case = case_for_outcome("other.other", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="reply")
    assert letter.details["other_kind"] == "withdrawal"
    services.letter_approve(letter_id=letter.id, by=staff["approver"])


@time_machine.travel(TODAY, tick=False)
def test_approver_cannot_sign_off_a_reply_for_another_outcome(city, staff, intake):
    case = case_for_outcome("withheld.internal_affairs", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        outcome="disclosed",
        details=S["disclosed"],
    )
    with pytest.raises(RuleViolation, match="拟办结果") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "outcome"


# --- the category test, unit by unit -----------------------------------------------------------
@pytest.mark.parametrize("outcome", [*variants.GROUNDS, "partially_disclosed"])
def test_category_words_are_not_reasons_but_the_samples_are(outcome):
    label = Outcome(outcome).label
    for only_category in [
        label,
        label.split("：", 1)[-1],
        old_default(outcome) if outcome != "partially_disclosed" else "部分公开",
    ]:
        assert checks.restates_category(only_category, outcome), only_category
    assert not checks.restates_category(S[outcome]["withhold_reason"], outcome)


def test_hints_are_recognised():
    for hint in [
        LEGACY_HINT,
        "（请写明处理情况及所依据的法律、行政法规条款。）",
        H["withhold_reason"],
    ]:
        assert checks.is_hint(hint)
    # A supplement notice may ask the applicant to write something: that is content.
    assert not checks.is_hint("请写明所需统计台账的年份和名称")


# --- notices: request identified, minimum supplement period, extension before the deadline ------
@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_supplement_period_below_the_agency_minimum_needs_a_reason(city, staff, intake):
    city.supplement_min_days = 15
    city.save()
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_supplement(
        case_id=case.id,
        by=staff["handler"],
        missing="请写明年份",
        due=D(2026, 10, 6),
        on=D(2026, 9, 28),
    )
    letter = Letter.objects.get(case=case, kind=LetterKind.SUPPLEMENT_NOTICE)
    with pytest.raises(RuleViolation, match="短于本机关设定的最短期限（15日）") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "short_period_reason"
    services.letter_update(
        letter_id=letter.id,
        by=staff["handler"],
        details={"short_period_reason": "申请人当面表示三日内即可补正，并同意较短的期限。"},
    )
    services.letter_approve(letter_id=letter.id, by=staff["approver"])


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
def test_extension_notice_must_be_issued_before_the_original_deadline(city, staff, intake):
    case = _extension_case(city, staff, intake)  # received 2026-09-25: originally due 10-29
    letter = Letter.objects.get(case=case, kind=LetterKind.EXTENSION_NOTICE)
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    with time_machine.travel(dt.datetime(2026, 10, 30, 10, 0), tick=False):
        with pytest.raises(RuleViolation, match="原答复期限（2026-10-29）届满前") as exc:
            services.letter_issue(letter_id=letter.id, by=staff["approver"])
        assert exc.value.field == "on"
        letter = services.letter_issue(
            letter_id=letter.id, by=staff["approver"], on=D(2026, 10, 29)
        )
    assert letter.state == "issued"


def test_compose_has_no_prefilled_hint():
    assert not hasattr(compose, "default_withhold_reason")
