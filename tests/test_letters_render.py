"""Every letter kind and every reply variant, issued through the services and read back with
python-docx: applicant, dates, case number, letter number, decision, legal basis, remedy notice,
review-first wording for withheld.*, East Asian fonts, GB/T 9704 layout."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from letters import legal, samples, services, variants
from letters.rendering import docx_to_pdf, soffice_path
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.services import cases as svc

from .letters_support import (
    TODAY,
    case_for_outcome,
    docx_paragraphs,
    docx_text,
    east_asia_fonts,
    is_docx,
    layout,
)

D = dt.date


def issue(letter, staff, on=None):
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    return services.letter_issue(letter_id=letter.id, by=staff["approver"], on=on)


def stored(letter) -> bytes:
    with letter.file.open("rb") as handle:
        return handle.read()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("outcome", OUTCOME_KEYS)
def test_reply_variant_reads_back(outcome, city, staff, intake):
    case = case_for_outcome(outcome, agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        details=samples.reply_details(outcome),
    )
    assert letter.outcome == outcome
    letter = issue(letter, staff)
    assert letter.render_status == "generated", letter.render_error
    data = stored(letter)
    assert services.rendering.sha256_hex(data) == letter.sha256
    text = docx_text(data)
    composed = variants.reply_text(outcome, samples.reply_details(outcome), withdrawn_on="")
    for expected in [
        "张三：",
        "2026年9月25日",
        case.case_no,
        "淄政办信复〔2026〕1号",
        "2026年11月20日",
        "申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账",
        *[p for p in composed.decision if "撤回" not in p],
        composed.citation,
        legal.remedy_notice(outcome, review_body=city.review_body, court=city.court),
        "淄博市人民政府办公室",
        "（印章）",
        "政府信息公开申请答复书",
    ]:
        assert expected in text, (outcome, expected)
    assert "草稿" not in text
    if outcome.startswith("withheld.") and outcome != "withheld.administrative_query":
        assert "应当先向淄博市人民政府申请行政复议" in text and "第二十三条" in text
        assert "不予公开的理由：" in text
        assert "六个月" not in text
    else:
        assert "应当先向" not in text or outcome == "partially_disclosed"
    fonts = east_asia_fonts(data)
    assert {"仿宋_GB2312", "方正小标宋简体"} <= fonts
    shape = layout(data)
    assert shape["page_mm"] == (210, 297)
    assert shape["margins_mm"] == (37, 35, 28, 26)
    assert shape["page_field"]
    assert shape["normal_east_asia"] == "仿宋_GB2312" and shape["body_size_pt"] == 16


@time_machine.travel(TODAY, tick=False)
def test_disclosed_already_public_tells_where(city, staff, intake):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        details={
            "disclosure_way": "already_public",
            "access": "淄博市人民政府门户网站“政府信息公开”栏目",
        },
    )
    text = docx_text(stored(issue(letter, staff)))
    assert "第三十六条第（一）项" in text and "已经主动公开" in text
    assert "获取方式、途径：淄博市人民政府门户网站“政府信息公开”栏目" in text


@time_machine.travel(TODAY, tick=False)
def test_not_held_names_the_responsible_agency(city, staff, intake):
    case = case_for_outcome("unavailable.not_held", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        details=samples.OTHER_AGENCY,
    )
    text = docx_text(stored(issue(letter, staff)))
    assert "第三十六条第（五）项" in text
    assert "该政府信息的公开机关：淄博市自然资源和规划局，联系方式：0533-3185000。" in text
    # Without a responsible agency the Art. 36(4) wording stands and no referral line is printed.
    plain = case_for_outcome("unavailable.not_held", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=plain.id, by=staff["handler"], kind="reply", details={"not_held_basis": "36_4"}
    )
    text = docx_text(stored(issue(letter, staff)))
    assert "第三十六条第（四）项" in text and "公开机关：" not in text


@time_machine.travel(TODAY, tick=False)
def test_receipt_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    letter = services.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    data = stored(issue(letter, staff))
    text = docx_text(data)
    for expected in [
        "张三：",
        "2026年9月25日",
        case.case_no,
        "2026年10月29日",
        case.tracking_code,
        "淄政办信复回执〔2026〕1号",
        "政府信息公开申请登记回执",
        "第三十三条",
    ]:
        assert expected in text, expected
    assert {"仿宋_GB2312", "方正小标宋简体"} <= east_asia_fonts(data)


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_supplement_notice_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_supplement(
        case_id=case.id,
        by=staff["handler"],
        missing="请写明所需统计台账的年份和名称",
        due=D(2026, 10, 20),
    )
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="supplement_notice")
    data = stored(issue(letter, staff))
    text = docx_text(data)
    for expected in [
        "张三：",
        case.case_no,
        "需要补正的事项：请写明所需统计台账的年份和名称",
        "2026年10月20日",
        "视为放弃申请",
        "第三十条",
        "政府信息公开申请补正告知书",
        "淄政办信复告知〔2026〕1号",
        "2026年9月28日",
    ]:
        assert expected in text, expected
    assert "仿宋_GB2312" in east_asia_fonts(data)


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
def test_extension_notice_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_extension(
        case_id=case.id, by=staff["handler"], days=10, reason="需调取历史档案"
    )
    svc.case_approve_extension(case_id=case.id, by=staff["approver"])
    case.refresh_from_db()
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="extension_notice")
    text = docx_text(stored(issue(letter, staff)))
    for expected in [
        "张三：",
        case.case_no,
        "延期理由：需调取历史档案",
        "10个工作日",
        f"{case.reply_due.year}年{case.reply_due.month}月{case.reply_due.day}日",
        "第三十三条第二款",
        "延期答复告知书",
    ]:
        assert expected in text, expected
    assert case.reply_due == D(2026, 11, 12)


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
def test_consultation_letter_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_start_consultation(case_id=case.id, by=staff["handler"], party="淄博某某化工有限公司")
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="consultation_letter",
        details={"consultee_kind": "third_party"},
    )
    assert letter.details["third_party"] == "淄博某某化工有限公司"
    text = docx_text(stored(issue(letter, staff)))
    for expected in [
        "淄博某某化工有限公司：",
        "十五个工作日",
        "第三十二条",
        "征求意见函",
        "申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账",
    ]:
        assert expected in text, expected
    assert "张三" not in text, "the third party is not told who asked"


@time_machine.travel(dt.datetime(2026, 10, 14, 10, 0), tick=False)
def test_fee_notice_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    case = svc.case_issue_fee_notice(case_id=case.id, by=staff["handler"], amount=Decimal("1100"))
    letter = services.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="fee_notice",
        details={"fee_standard": "per_volume", "fee_quantity": "120"},
    )
    text = docx_text(stored(issue(letter, staff)))
    for expected in [
        "张三：",
        case.case_no,
        "按量计收",
        "第31页至第100页共70页，每页10元，计700元。",
        "第101页至第120页共20页，每页20元，计400元。",
        "应缴金额：人民币1100.00元。",
        f"缴费期限：请最迟于{case.fee_payment_due.year}年{case.fee_payment_due.month}月"
        f"{case.fee_payment_due.day}日（含当日）缴纳。",
        "本申请所需提供的政府信息共120页。",
        "二十个工作日",
        "视为放弃申请",
        "第四十二条",
    ]:
        assert expected in text, expected


@time_machine.travel(TODAY, tick=False)
def test_draft_is_marked_and_unnumbered(city, staff, intake):
    case = case_for_outcome("withheld.state_secret", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(case_id=case.id, by=staff["handler"], kind="reply")
    paragraphs = docx_paragraphs(services.letter_file_bytes(letter))
    assert paragraphs[0] == "草稿——未经签发，不具效力"
    assert "（草稿，未编号）" in paragraphs


@time_machine.travel(TODAY, tick=False)
def test_envelope_for_post(city, staff, intake):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details=samples.ON_SITE
    )
    letter = issue(letter, staff)
    data = services.envelope_bytes(letter)
    text = docx_text(data)
    for expected in [
        "255000",
        "淄博市张店区共青团路1号",
        "张三　收",
        "淄博市人民政府办公室",
        "淄博市张店区人民西路",
        "内装文书：淄政办信复〔2026〕1号",
    ]:
        assert expected in text, expected
    assert layout(data)["page_mm"] == (220, 110)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "kind",
    [
        "receipt",
        "supplement_notice",
        "extension_notice",
        "consultation_letter",
        "fee_notice",
        "reply",
    ],
)
def test_render_letter_command_writes_a_draft(kind, city, staff, intake, tmp_path):
    case = case_for_outcome("withheld.third_party_rights", agency=city, staff=staff, intake=intake)
    out = tmp_path / f"{kind}.docx"
    call_command(
        "render_letter", agency="CITY-OFFICE", case=case.case_no, kind=kind, output=str(out)
    )
    data = out.read_bytes()
    assert is_docx(data)
    text = docx_text(data)
    assert "草稿——未经签发，不具效力" in text and "（草稿，未编号）" in text
    assert "仿宋_GB2312" in east_asia_fonts(data)
    if kind == "reply":
        assert "第十五条" in text and "应当先向淄博市人民政府申请行政复议" in text


def test_render_letter_command_errors(city, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="案件不存在"):
        call_command(
            "render_letter",
            agency="CITY-OFFICE",
            case="2026-9999",
            kind="reply",
            output=str(tmp_path / "x.docx"),
        )
    with pytest.raises(CommandError, match="机关代码不存在"):
        call_command(
            "render_letter", agency="NOPE", case="1", kind="reply", output=str(tmp_path / "x.docx")
        )


@time_machine.travel(TODAY, tick=False)
def test_issued_reply_converts_to_pdf(city, staff, intake):
    assert soffice_path(), "LibreOffice must be installed for this check"
    case = case_for_outcome("partially_disclosed", agency=city, staff=staff, intake=intake)
    details = samples.reply_details("partially_disclosed")
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details=details
    )
    letter = issue(letter, staff)
    pdf = docx_to_pdf(stored(letter))
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000
