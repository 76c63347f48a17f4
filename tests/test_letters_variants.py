"""Every reply variant (each outcome key; both forms of 36(1)/36(2) and 36(4)/36(5); each branch
of the variants with two) issued through the services and read back with python-docx: the
articles cited, the reasons the handler wrote, and the remedy notice. The expected sentences are
written out here, independently of letters/legal.py and letters/variants.py."""

import datetime as dt

import pytest
import time_machine

from letters import samples, services
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.services import cases as svc

from .letters_support import TODAY, case_for_outcome, docx_text

D = dt.date
ORDINARY = "六个月内向淄博市张店区人民法院提起行政诉讼"
REVIEW_FIRST = "应当先向淄博市人民政府申请行政复议"
ART_45_18 = "淄博市张店区人民法院或者淄博市人民政府所在地人民法院提起行政诉讼"

S = samples.REPLY_DETAILS
# id: (outcome, details, must appear, must not appear)
VARIANTS = {
    "disclosed-36-2-provided": (
        "disclosed",
        S["disclosed"],
        [
            "第三十六条第（二）项",
            "予以公开",
            "获取方式、途径：随本答复书向您提供所申请的政府信息。",
        ],
        ["第三十六条第（一）项"],
    ),
    "disclosed-36-2-on-site": (
        "disclosed",
        samples.ON_SITE,
        [
            "第三十六条第（二）项",
            "请您于2026年12月1日至12月15日工作日9:00-17:00到本机关政务服务大厅政府信息公开窗口查阅、领取。",
        ],
        ["第三十六条第（一）项"],
    ),
    "disclosed-36-1-already-public": (
        "disclosed",
        samples.ALREADY_PUBLIC,
        [
            "第三十六条第（一）项",
            "已经主动公开",
            "获取方式、途径：淄博市人民政府门户网站“政府信息公开”栏目（www.zibo.gov.cn）",
        ],
        ["第三十六条第（二）项"],
    ),
    "partially_disclosed": (
        "partially_disclosed",
        S["partially_disclosed"],
        [
            "本答复依据《中华人民共和国政府信息公开条例》第三十七条、第十五条的规定作出。",
            "不予公开部分的理由：所申请的中标结果中投标人报价构成明细系投标人的商业秘密",
            "本机关未征求第三方意见，原因是：投标文件载明报价构成为商业秘密",
            "其余部分涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
        ],
        ["第三方不同意公开"],
    ),
    "withheld.state_secret": (
        "withheld.state_secret",
        S["withheld.state_secret"],
        [
            "第三十六条第（三）项、第十四条的规定作出。",
            "不予公开的理由：所申请的应急物资储备布局方案记载储备库位置和储备数量",
            "该信息的定密依据：本机关于2025年3月依据《中华人民共和国保守国家秘密法》第十三条定为秘密级",
        ],
        [],
    ),
    "withheld.prohibited_by_law": (
        "withheld.prohibited_by_law",
        S["withheld.prohibited_by_law"],
        [
            "第三十六条第（三）项、第十四条和《中华人民共和国统计法》第二十五条的规定作出。",
            "禁止公开该信息的规定：《中华人民共和国统计法》第二十五条。",
            "能够识别单个调查对象的原始资料",
        ],
        [],
    ),
    "withheld.three_safeties_one_stability": (
        "withheld.three_safeties_one_stability",
        S["withheld.three_safeties_one_stability"],
        ["第三十六条第（三）项、第十四条", "公开后可能被用于破坏城市供水设施"],
        [],
    ),
    "withheld.third_party_rights-not-consulted": (
        "withheld.third_party_rights",
        S["withheld.third_party_rights"],
        [
            "第三十六条第（三）项、第十五条",
            "本机关未征求第三方意见，原因是：该企业在报送时已书面声明财务报表不同意公开",
        ],
        ["第三方不同意公开，"],
    ),
    "withheld.third_party_rights-disagreed": (
        "withheld.third_party_rights",
        {**S["withheld.third_party_rights"], "consultation_result": "disagreed"},
        [
            "第十五条",
            "本机关已依照《中华人民共和国政府信息公开条例》第三十二条的规定书面征求第三方意见，第三方不同意公开",
        ],
        [],
    ),
    "withheld.third_party_rights-no-answer": (
        "withheld.third_party_rights",
        {**S["withheld.third_party_rights"], "consultation_result": "no_answer"},
        ["第十五条", "第三方自收到征求意见书之日起十五个工作日内未提出意见"],
        ["第三方不同意公开"],
    ),
    "withheld.internal_affairs": (
        "withheld.internal_affairs",
        S["withheld.internal_affairs"],
        ["第三十六条第（三）项、第十六条第一款", "仅用于本机关内部管理"],
        [],
    ),
    "withheld.process_information": (
        "withheld.process_information",
        S["withheld.process_information"],
        [
            "第三十六条第（三）项、第十六条第二款",
            "未形成正式决定",
            "经核查，没有法律、法规、规章规定该信息应当公开",
        ],
        [],
    ),
    "withheld.enforcement_case_file": (
        "withheld.enforcement_case_file",
        S["withheld.enforcement_case_file"],
        [
            "第三十六条第（三）项、第十六条第二款",
            "调查询问笔录",
            "经核查，没有法律、法规、规章规定该信息应当公开",
        ],
        [],
    ),
    "withheld.administrative_query": (
        "withheld.administrative_query",
        S["withheld.administrative_query"],
        [
            "本答复依据《中华人民共和国政府信息公开条例》第三十六条第（七）项和《不动产登记暂行条例》第二十七条的规定作出。",
            "请您依照《不动产登记暂行条例》第二十七条的规定，向淄博市不动产登记中心",
        ],
        ["第三十六条第（三）项", "不予公开的理由", "本机关决定不予公开"],
    ),
    "unavailable.not_held-36-4": (
        "unavailable.not_held",
        S["unavailable.not_held"],
        [
            "第三十六条第（四）项",
            "经检索，本机关没有制作或者获取您申请公开的政府信息，该政府信息不存在。",
        ],
        ["第三十六条第（五）项", "公开机关："],
    ),
    "unavailable.not_held-36-5": (
        "unavailable.not_held",
        samples.OTHER_AGENCY,
        [
            "第三十六条第（五）项",
            "不属于本机关负责公开。理由是：建设工程规划许可由自然资源和规划部门作出并保存",
            "该政府信息的公开机关：淄博市自然资源和规划局，联系方式：0533-3185000。",
        ],
        ["不存在", "第三十六条第（四）项"],
    ),
    "unavailable.needs_creation": (
        "unavailable.needs_creation",
        {},
        ["第三十八条", "加工、分析"],
        [],
    ),
    "unavailable.still_unclear_after_supplement": (
        "unavailable.still_unclear_after_supplement",
        {},
        ["第三十条", "补正后的申请内容仍不明确"],
        [],
    ),
    "not_processed.petition_complaint": (
        "not_processed.petition_complaint",
        S["not_processed.petition_complaint"],
        [
            "第三十九条第一款",
            "您可以通过淄博市信访局（淄博市张店区人民西路）或12345政务服务便民热线提出。",
        ],
        [],
    ),
    "not_processed.repeated": (
        "not_processed.repeated",
        S["not_processed.repeated"],
        [
            "第三十六条第（六）项",
            "本机关已于2026年9月1日以淄政办信复〔2026〕1号就您申请公开的政府信息作出答复",
        ],
        [],
    ),
    "not_processed.publication": (
        "not_processed.publication",
        {},
        ["第三十九条第二款", "公开出版物"],
        [],
    ),
    "not_processed.excessive-refuse": (
        "not_processed.excessive",
        S["not_processed.excessive"],
        [
            "第三十五条",
            "您说明的理由不合理，本机关不予处理。",
            "具体情况：您在一个月内提交同类申请四十余件",
        ],
        [],
    ),
    "not_processed.confirm_or_reissue-2-27": (
        "not_processed.confirm_or_reissue",
        S["not_processed.confirm_or_reissue"],
        ["第二条、第二十七条的规定作出", "加盖公章予以确认"],
        ["第三十六条第（六）项"],
    ),
    "not_processed.confirm_or_reissue-36-6": (
        "not_processed.confirm_or_reissue",
        {**S["not_processed.confirm_or_reissue"], "confirm_basis": "art_36_6"},
        ["第三十六条第（六）项的规定作出", "此前已向您提供过"],
        ["第二条、第二十七条"],
    ),
    "other.no_supplement": ("other.no_supplement", {}, ["第三十条", "视为放弃申请"], []),
    "other.fee_unpaid": ("other.fee_unpaid", {}, ["第四十二条", "逾期未按收费通知要求缴纳"], []),
    "other.other-withdrawal": (
        "other.other",
        S["other.other"],
        ["您已于2026年10月9日撤回申请。根据您的撤回申请，本机关终止办理。"],
        ["本答复依据", "有关条款"],
    ),
    "other.other-other": (
        "other.other",
        samples.OTHER_ENDING,
        ["本答复依据《中华人民共和国档案法》第二十八条的规定作出。", "已移交淄博市档案馆"],
        ["有关条款"],
    ),
}


def test_every_outcome_key_has_a_variant():
    assert {outcome for outcome, *_ in VARIANTS.values()} == set(OUTCOME_KEYS)


def consulted_case(city, staff, intake, outcome):
    """A case whose consultation of the third party is recorded, then in review."""
    handler = staff["handler"]
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_start_consultation(
        case_id=case.id, by=handler, party="淄博某某化工有限公司", on=D(2026, 9, 28)
    )
    case = svc.case_finish_consultation(case_id=case.id, by=handler, on=D(2026, 10, 20))
    if case.state == "received":
        svc.case_start_drafting(case_id=case.id, by=handler)
    svc.case_submit_for_approval(case_id=case.id, by=handler, outcome=outcome)
    case.refresh_from_db()
    return case


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_reads_back(variant, city, staff, intake):
    outcome, details, present, absent = VARIANTS[variant]
    if details.get("consultation_result") in ("disagreed", "no_answer"):
        case = consulted_case(city, staff, intake, outcome)
    else:
        case = case_for_outcome(outcome, agency=city, staff=staff, intake=intake)
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details=details
    )
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert letter.render_status == "generated", letter.render_error
    with letter.file.open("rb") as handle:
        text = docx_text(handle.read())
    # Every reply identifies the request.
    assert case.case_no in text and "2026年9月25日" in text and "申请获取：“" in text
    for expected in present:
        assert expected in text, (variant, expected)
    for unexpected in [*absent, "有关条款", "（请写明", "请写明具体理由"]:
        assert unexpected not in text, (variant, unexpected)
    review_first = outcome.startswith("withheld.") and outcome != "withheld.administrative_query"
    if review_first:
        assert REVIEW_FIRST in text and ART_45_18 in text and "第四十五条" in text
        assert "六个月" not in text
        assert "不予公开的理由：" in text
    elif outcome == "partially_disclosed":
        assert REVIEW_FIRST in text and ART_45_18 in text
        assert "对本答复其他内容不服的，可以自收到本答复之日起六十日内" in text and "六个月" in text
    else:
        assert ORDINARY in text and "六十日内向淄博市人民政府申请行政复议" in text
        assert "应当先向" not in text


@time_machine.travel(TODAY, tick=False)
def test_third_party_result_needs_a_recorded_consultation(city, staff, intake):
    """ "第三方不同意公开" only when the case records the consultation."""
    from requests_app.rules import RuleViolation

    case = case_for_outcome("withheld.third_party_rights", agency=city, staff=staff, intake=intake)
    details = {**S["withheld.third_party_rights"], "consultation_result": "disagreed"}
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details=details
    )
    with pytest.raises(RuleViolation, match="未记录征求第三方意见") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "consultation_result"


@time_machine.travel(TODAY, tick=False)
def test_withdrawal_needs_a_recorded_withdrawal(city, staff, intake):
    from requests_app.rules import RuleViolation

    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    svc.case_return_for_revision(case_id=case.id, by=staff["approver"], reason="改为其他处理")
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="other.other")
    letter = services.letter_draft(
        case_id=case.id, by=staff["handler"], kind="reply", details={"other_kind": "withdrawal"}
    )
    with pytest.raises(RuleViolation, match="撤回") as exc:
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "other_kind"
