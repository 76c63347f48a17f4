"""Letter lifecycle through the services: who may do what, frozen issued letters, corrections,
closing needs the issued reply, history rows, failed renders, deliveries, template uploads."""

import datetime as dt
import io

import pytest
import time_machine
from docx import Document

from letters import services
from letters.build_templates import build
from letters.models import Letter, LetterTemplate
from letters.rendering import MSG_NOT_DOCX, TemplateInvalid
from letters.samples import reply_details
from requests_app.models import CaseEvent
from requests_app.rules import RuleViolation
from requests_app.services import cases as svc
from tests.conftest import make_user

from .letters_support import TODAY, case_for_outcome, docx_text

D = dt.date


@pytest.fixture
def review_case(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        yield case_for_outcome("withheld.internal_affairs", agency=city, staff=staff, intake=intake)


def draft_reply(case, by, **kwargs):
    """A reply draft with the handler's reasons filled in (drafts start with them empty)."""
    kwargs.setdefault("details", reply_details(kwargs.get("outcome") or case.proposed_outcome))
    return services.letter_draft(case_id=case.id, by=by, kind="reply", **kwargs)


def letter_events(case, verb=None):
    events = CaseEvent.objects.filter(case=case, kind="letter")
    return events.filter(transition=f"letter_{verb}") if verb else events


@time_machine.travel(TODAY, tick=False)
def test_full_lifecycle_writes_history_and_closes(review_case, staff):
    handler, approver = staff["handler"], staff["approver"]
    with pytest.raises(RuleViolation, match="须先签发答复书"):
        svc.case_approve_and_close(case_id=review_case.id, by=approver)
    letter = draft_reply(review_case, handler)
    services.letter_update(
        letter_id=letter.id,
        by=handler,
        body="经审查，您申请的信息属于内部人事管理信息。\n\n第二段。",
    )
    letter.refresh_from_db()
    assert letter.body == "经审查，您申请的信息属于内部人事管理信息。\n第二段。"
    with pytest.raises(RuleViolation, match="审核"):
        services.letter_issue(letter_id=letter.id, by=approver)
    services.letter_approve(letter_id=letter.id, by=approver)
    letter = services.letter_issue(letter_id=letter.id, by=approver)
    assert letter.state == "issued" and letter.number == "淄政办信复〔2026〕1号"
    assert letter.issued_by == approver and letter.issued_at and letter.issued_on == D(2026, 11, 20)
    assert len(letter.sha256) == 64 and letter.file.name.endswith(".docx")
    assert "第二段。" in docx_text(letter.file.open("rb").read())
    case = svc.case_approve_and_close(case_id=review_case.id, by=approver)
    assert case.state == "withheld" and case.outcome == "withheld.internal_affairs"
    verbs = list(letter_events(review_case).values_list("transition", flat=True))
    assert verbs == [
        "letter_draft",
        "letter_edit",
        "letter_approve",
        "letter_issue",
        "letter_render",
    ]
    issue_event = letter_events(review_case, "issue").get()
    assert issue_event.actor == approver and issue_event.changes["number"] == letter.number


@time_machine.travel(TODAY, tick=False)
def test_issued_letter_never_changes(review_case, staff):
    letter = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    digest, name, number = letter.sha256, letter.file.name, letter.number
    with pytest.raises(RuleViolation, match="已签发的文书不能修改"):
        services.letter_update(letter_id=letter.id, by=staff["handler"], body="改写")
    with pytest.raises(RuleViolation, match="已签发的文书不能修改"):
        services.letter_issue(letter_id=letter.id, by=staff["approver"])
    with pytest.raises(RuleViolation):
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    services.letter_render(letter_id=letter.id)  # twice is safe: nothing changes
    letter.refresh_from_db()
    assert (letter.sha256, letter.file.name, letter.number) == (digest, name, number)
    # A second reply needs to be a correction citing the first.
    second = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=second.id, by=staff["approver"])
    with pytest.raises(RuleViolation, match="如需更正请制作更正文书"):
        services.letter_issue(letter_id=second.id, by=staff["approver"])


@time_machine.travel(TODAY, tick=False)
def test_correction_cites_the_letter_it_replaces(review_case, staff):
    first = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=first.id, by=staff["approver"])
    first = services.letter_issue(letter_id=first.id, by=staff["approver"])
    fix = services.letter_draft(
        case_id=review_case.id, by=staff["handler"], kind="reply", replaces_id=first.id
    )
    assert fix.body == first.body and fix.replaces == first
    services.letter_approve(letter_id=fix.id, by=staff["approver"])
    fix = services.letter_issue(letter_id=fix.id, by=staff["approver"])
    assert fix.number == "淄政办信复〔2026〕2号"
    text = docx_text(fix.file.open("rb").read())
    assert "（本文书更正淄政办信复〔2026〕1号，原文书同时作废）" in text
    assert "政府信息公开申请答复书（更正）" in text
    first.refresh_from_db()
    assert first.state == "issued"  # the original stays as it was
    with pytest.raises(RuleViolation, match="只能更正"):
        services.letter_draft(
            case_id=review_case.id, by=staff["handler"], kind="receipt", replaces_id=first.id
        )


@time_machine.travel(TODAY, tick=False)
def test_reply_must_match_the_case_outcome(city, staff, intake):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    letter = draft_reply(case, staff["handler"], outcome="unavailable.not_held")
    # Refused at sign-off already (the issuing gate), not only at issue.
    with pytest.raises(RuleViolation, match="不一致") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "outcome"
    letter.refresh_from_db()
    assert letter.state == "draft" and not letter.number


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "action, role, allowed",
    [
        ("draft", "handler", True),
        ("draft", "clerk", False),
        ("draft", "approver", False),
        ("draft", "supervisor", False),
        ("approve", "approver", True),
        ("approve", "handler", False),
        ("issue", "approver", True),
        ("issue", "handler", False),
        ("issue", "clerk", False),
        ("edit", "handler", True),
        ("edit", "approver", True),
        ("edit", "clerk", False),
    ],
)
def test_roles(action, role, allowed, review_case, staff):
    user = staff[role]
    letter = None
    if action != "draft":
        letter = draft_reply(review_case, staff["handler"])
        if action == "issue":
            services.letter_approve(letter_id=letter.id, by=staff["approver"])
    run = {
        "draft": lambda: services.letter_draft(case_id=review_case.id, by=user, kind="reply"),
        "approve": lambda: services.letter_approve(letter_id=letter.id, by=user),
        "issue": lambda: services.letter_issue(letter_id=letter.id, by=user),
        "edit": lambda: services.letter_update(letter_id=letter.id, by=user, body="新的正文"),
    }[action]
    if allowed:
        run()
    else:
        with pytest.raises(services.LetterNotPermitted):
            run()


@time_machine.travel(TODAY, tick=False)
def test_staff_of_another_agency_cannot_touch_letters(review_case, staff, other_agency):
    outsider = make_user("outsider", other_agency, "handler", "approver")
    with pytest.raises(services.LetterNotPermitted):
        services.letter_draft(case_id=review_case.id, by=outsider, kind="reply")
    letter = draft_reply(review_case, staff["handler"])
    with pytest.raises(services.LetterNotPermitted):
        services.letter_approve(letter_id=letter.id, by=outsider)


@time_machine.travel(TODAY, tick=False)
def test_editing_an_approved_letter_needs_a_new_sign_off(review_case, staff):
    letter = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    services.letter_update(
        letter_id=letter.id,
        by=staff["handler"],
        details={"withhold_reason": "该排班表只用于本机关食堂内部管理，不对外产生任何影响。"},
    )
    letter.refresh_from_db()
    assert letter.state == "draft" and letter.approved_by is None
    services.letter_update(
        letter_id=letter.id, by=staff["handler"], details={"withhold_reason": ""}
    )
    with pytest.raises(RuleViolation, match="不予公开的理由") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "withhold_reason"


@time_machine.travel(TODAY, tick=False)
def test_failed_render_marks_the_letter_and_keeps_the_case(review_case, staff, monkeypatch):
    letter = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=letter.id, by=staff["approver"])

    def broken(template, context):
        raise OSError("disk full")

    monkeypatch.setattr(services.rendering, "render_docx", broken)
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert letter.state == "issued" and letter.render_status == "failed"
    assert "disk full" in letter.render_error and not letter.file
    assert letter_events(review_case, "render_failed").exists()
    review_case.refresh_from_db()
    assert review_case.state == "review"
    with pytest.raises(RuleViolation, match="尚未生成"):
        services.letter_file_bytes(letter)
    monkeypatch.undo()
    letter = services.letter_render(letter_id=letter.id)  # staff render again: same number
    assert letter.render_status == "generated" and letter.number == "淄政办信复〔2026〕1号"


@time_machine.travel(TODAY, tick=False)
def test_missing_review_body_refuses_issue(district, staff, intake):
    district.review_body = ""
    district.save()
    people = {
        role: make_user(f"d-{role}", district, role) for role in ("clerk", "handler", "approver")
    }
    case = case_for_outcome("disclosed", agency=district, staff=people, intake=intake)
    letter = draft_reply(case, people["handler"])
    services.letter_approve(letter_id=letter.id, by=people["approver"])
    with pytest.raises(RuleViolation, match="行政复议机关") as exc:
        services.letter_issue(letter_id=letter.id, by=people["approver"])
    assert exc.value.field == "review_body"
    assert not Letter.objects.filter(number_seq__isnull=False).exists()


@time_machine.travel(TODAY, tick=False)
def test_deliveries(review_case, staff):
    letter = draft_reply(review_case, staff["handler"])
    with pytest.raises(RuleViolation, match="尚未签发"):
        services.delivery_record(
            letter_id=letter.id,
            by=staff["clerk"],
            method="post",
            sent_on=D(2026, 11, 20),
            tracking_number="X",
        )
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    services.letter_issue(letter_id=letter.id, by=staff["approver"])
    with pytest.raises(RuleViolation, match="邮件单号") as exc:
        services.delivery_record(
            letter_id=letter.id, by=staff["clerk"], method="post", sent_on=D(2026, 11, 20)
        )
    assert exc.value.field == "tracking_number"
    with pytest.raises(RuleViolation, match="电子邮箱"):
        services.delivery_record(
            letter_id=letter.id, by=staff["clerk"], method="email", sent_on=D(2026, 11, 20)
        )
    with pytest.raises(RuleViolation, match="不能晚于今天"):
        services.delivery_record(
            letter_id=letter.id, by=staff["clerk"], method="portal", sent_on=D(2026, 11, 21)
        )
    delivery = services.delivery_record(
        letter_id=letter.id,
        by=staff["clerk"],
        method="post",
        sent_on=D(2026, 11, 20),
        tracking_number="EMS9876543210",
    )
    with pytest.raises(RuleViolation, match="不能早于发出日期"):
        services.delivery_receipt_record(
            delivery_id=delivery.id, by=staff["clerk"], received_on=D(2026, 11, 19)
        )
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0), tick=False):
        services.delivery_receipt_record(
            delivery_id=delivery.id, by=staff["clerk"], received_on=D(2026, 11, 23)
        )
    delivery.refresh_from_db()
    assert delivery.received_on == D(2026, 11, 23)
    assert (
        letter_events(review_case, "delivery").get().changes["tracking_number"] == "EMS9876543210"
    )
    assert letter_events(review_case, "delivery_receipt").exists()
    with pytest.raises(services.LetterNotPermitted):
        services.delivery_record(
            letter_id=letter.id, by=staff["approver"], method="portal", sent_on=D(2026, 11, 20)
        )


def _template_with(extra_paragraph: str, key="reply_withheld") -> bytes:
    document = Document(io.BytesIO(build(key)))
    document.add_paragraph(extra_paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@time_machine.travel(TODAY, tick=False)
def test_template_upload_checks_and_takes_effect(city, staff, review_case):
    admin = staff["administrator"]
    with pytest.raises(TemplateInvalid) as exc:
        services.template_upload(
            agency=city, by=admin, key="reply_withheld", data=b"not a zip", filename="a.docx"
        )
    assert exc.value.errors == [MSG_NOT_DOCX]
    bad = _template_with("{{ favourite_colour }}{{ applicant_idcard }}")
    with pytest.raises(TemplateInvalid) as exc:
        services.template_upload(
            agency=city, by=admin, key="reply_withheld", data=bad, filename="b.docx"
        )
    assert "applicant_idcard、favourite_colour" in exc.value.message
    # Missing required ones: a template without the remedy notice and legal basis.
    document = Document(io.BytesIO(build("reply_withheld")))
    blank_endif = False
    for paragraph in document.paragraphs:
        if "remedy" in paragraph.text or "legal_basis" in paragraph.text:
            blank_endif = blank_endif or "if legal_basis" in paragraph.text
            paragraph.text = ""
        elif blank_endif and "endif" in paragraph.text:
            paragraph.text, blank_endif = "", False
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(TemplateInvalid) as exc:
        services.template_upload(
            agency=city, by=admin, key="reply_withheld", data=out.getvalue(), filename="c.docx"
        )
    assert "缺少必需的占位符：legal_basis、remedy" in exc.value.message
    assert not LetterTemplate.objects.exists(), "a refused template changes nothing"
    with pytest.raises(services.LetterNotPermitted):
        services.template_upload(
            agency=city,
            by=staff["handler"],
            key="reply_withheld",
            data=_template_with("x"),
            filename="d.docx",
        )
    good = _template_with("本机关特别提示：请妥善保管本答复书。")
    services.template_upload(
        agency=city, by=admin, key="reply_withheld", data=good, filename="e.docx"
    )
    letter = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert letter.template is not None
    assert "本机关特别提示：请妥善保管本答复书。" in docx_text(letter.file.open("rb").read())


@pytest.mark.parametrize("key", services.TEMPLATE_KEYS)
def test_every_default_template_passes_its_own_check(key):
    from letters.rendering import default_template_bytes, template_check

    assert template_check(default_template_bytes(key), key)


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
def test_fee_notice_amount_is_computed_and_matches_the_case(city, staff, intake):
    from decimal import Decimal

    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_issue_fee_notice(
        case_id=case.id, by=staff["handler"], amount=Decimal("700"), on=D(2026, 10, 9)
    )
    draft = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="fee_notice",
        details={"fee_standard": "per_volume", "fee_quantity": "120"},
    )
    with pytest.raises(RuleViolation, match="不一致") as exc:
        services.letter_approve(letter_id=draft.id, by=staff["approver"])
    assert exc.value.field == "fee_amount"
    services.letter_update(letter_id=draft.id, by=staff["handler"], details={"fee_quantity": "100"})
    services.letter_approve(letter_id=draft.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=draft.id, by=staff["approver"])
    assert "应缴金额：人民币700.00元。" in docx_text(letter.file.open("rb").read())
    free = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="fee_notice",
        details={"fee_standard": "per_request", "fee_quantity": "10"},
    )
    with pytest.raises(RuleViolation, match="为零") as exc:
        services.letter_approve(letter_id=free.id, by=staff["approver"])
    assert exc.value.field == "fee_quantity"
    # A typed amount alone is not enough: the standard and quantity compute it (109号).
    typed = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="fee_notice",
        details={"fee_standard": "", "fee_amount": "700"},
    )
    with pytest.raises(RuleViolation, match="收费标准") as exc:
        services.letter_approve(letter_id=typed.id, by=staff["approver"])
    assert exc.value.field == "fee_standard"
    services.letter_update(
        letter_id=typed.id,
        by=staff["handler"],
        details={"fee_standard": "per_volume", "fee_quantity": "100", "fee_amount": "七百"},
    )
    with pytest.raises(RuleViolation, match="数字") as exc:
        services.letter_approve(letter_id=typed.id, by=staff["approver"])
    services.letter_update(letter_id=typed.id, by=staff["handler"], details={"fee_amount": "650"})
    with pytest.raises(RuleViolation, match="按收费标准计算的金额（700元）") as exc:
        services.letter_approve(letter_id=typed.id, by=staff["approver"])
    assert exc.value.field == "fee_amount"


@time_machine.travel(TODAY, tick=False)
def test_bad_date_typed_in_a_draft_is_refused_not_crashed(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    draft = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="supplement_notice",
        details={"missing": "请写明年份", "supplement_due": "下周五"},
    )
    assert "补正期限：请最迟于下周五（含当日）" in docx_text(services.letter_file_bytes(draft))
    with pytest.raises(RuleViolation, match="YYYY-MM-DD") as exc:
        services.letter_approve(letter_id=draft.id, by=staff["approver"])
    assert exc.value.field == "supplement_due"


@time_machine.travel(TODAY, tick=False)
def test_clerk_issues_a_receipt_without_an_approver(city, staff, intake):
    city.clerks_issue_receipts = True
    city.save()
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    letter = services.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    services.letter_approve(letter_id=letter.id, by=staff["clerk"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["clerk"])
    assert letter.state == "issued" and letter.issued_by == staff["clerk"]
    reply_case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    reply = draft_reply(reply_case, staff["handler"])
    with pytest.raises(services.LetterNotPermitted):
        services.letter_approve(letter_id=reply.id, by=staff["clerk"])


def test_template_that_cannot_render_is_refused(city, staff):
    broken = _template_with("{{ title.no_such_attribute.deeper }}", key="receipt")
    with pytest.raises(TemplateInvalid, match="模板无法生成文书"):
        services.template_upload(
            agency=city, by=staff["administrator"], key="receipt", data=broken, filename="r.docx"
        )
    assert not LetterTemplate.objects.exists()


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
@pytest.mark.parametrize(
    "kind, message",
    [
        ("supplement_notice", "补正告知"),
        ("extension_notice", "延期尚未获批准"),
        ("fee_notice", "发出收费通知"),
    ],
)
def test_a_notice_needs_its_case_step_first(kind, message, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    details = {
        "supplement_notice": {"missing": "请写明年份", "supplement_due": "2026-10-20"},
        "extension_notice": {"new_due": "2026-11-12", "extension_reason": "需调取档案"},
        "fee_notice": {
            "fee_standard": "per_request",
            "fee_quantity": "11",
            "payment_method": "现场缴纳",
        },
    }[kind]
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind=kind, details=details)
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    with pytest.raises(RuleViolation, match=message):
        services.letter_issue(letter_id=letter.id, by=staff["approver"])
    letter.refresh_from_db()
    assert letter.state == "approved" and not letter.number


@time_machine.travel(TODAY, tick=False)
def test_sweep_renders_failed_letters(review_case, staff, monkeypatch):
    from letters.tasks import letters_render_outstanding

    letter = draft_reply(review_case, staff["handler"])
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    monkeypatch.setattr(services.rendering, "render_docx", lambda template, context: 1 / 0)
    services.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert letters_render_outstanding.delay().get() == {"generated": 0, "failed": 1}
    monkeypatch.undo()
    assert letters_render_outstanding.delay().get() == {"generated": 1, "failed": 0}
    assert letters_render_outstanding.delay().get() == {"generated": 0, "failed": 0}
