"""The legal map of letters/legal.py, entry by entry (SPEC §4, ogi-domain §4)."""

import pytest

from letters import fees, legal
from requests_app.outcomes import OUTCOME_KEYS

# Written out independently of the module: outcome key → article(s) cited.
EXPECTED_ARTICLES = {
    "disclosed": "第三十六条第（二）项",
    "partially_disclosed": "第三十七条",
    "withheld.state_secret": "第三十六条第（三）项、第十四条",
    "withheld.prohibited_by_law": "第三十六条第（三）项、第十四条",
    "withheld.three_safeties_one_stability": "第三十六条第（三）项、第十四条",
    "withheld.third_party_rights": "第三十六条第（三）项、第十五条",
    "withheld.internal_affairs": "第三十六条第（三）项、第十六条第一款",
    "withheld.process_information": "第三十六条第（三）项、第十六条第二款",
    "withheld.enforcement_case_file": "第三十六条第（三）项、第十六条第二款",
    "withheld.administrative_query": "第三十六条第（七）项",
    "unavailable.not_held": "第三十六条第（四）项",
    "unavailable.needs_creation": "第三十八条",
    "unavailable.still_unclear_after_supplement": "第三十条",
    "not_processed.petition_complaint": "第三十九条第一款",
    "not_processed.repeated": "第三十六条第（六）项",
    "not_processed.publication": "第三十九条第二款",
    "not_processed.excessive": "第三十五条",
    "not_processed.confirm_or_reissue": "第二条、第二十七条",
    "other.no_supplement": "第三十条",
    "other.fee_unpaid": "第四十二条",
    "other.other": "",  # no generic "有关条款": the handler states the basis (or none: withdrawal)
}
EXPECTED_WORDS = {
    "disclosed": "予以公开",
    "partially_disclosed": "区分处理",
    "withheld.state_secret": "国家秘密",
    "withheld.prohibited_by_law": "法律、行政法规禁止公开",
    "withheld.three_safeties_one_stability": "社会稳定",
    "withheld.third_party_rights": "第三方合法权益",
    "withheld.internal_affairs": "内部事务信息",
    "withheld.process_information": "过程性信息",
    "withheld.enforcement_case_file": "行政执法案卷",
    "withheld.administrative_query": "特别规定",
    "unavailable.not_held": "该政府信息不存在",
    "unavailable.needs_creation": "加工、分析",
    "unavailable.still_unclear_after_supplement": "仍不明确",
    "not_processed.petition_complaint": "信访、投诉、举报",
    "not_processed.repeated": "不予重复处理",
    "not_processed.publication": "公开出版物",
    "not_processed.excessive": "明显超过合理范围",
    "not_processed.confirm_or_reissue": "确认或者重新出具",
    "other.no_supplement": "视为放弃申请",
    "other.fee_unpaid": "逾期未按收费通知要求缴纳",
    "other.other": "如下处理",
}


def test_every_outcome_key_has_an_entry():
    assert set(legal.LEGAL_BASES) == set(OUTCOME_KEYS) == set(EXPECTED_ARTICLES)


@pytest.mark.parametrize("key", OUTCOME_KEYS)
def test_entry_cites_its_article_and_says_its_decision(key):
    basis = legal.legal_basis(key)
    assert basis.articles == EXPECTED_ARTICLES[key]
    assert EXPECTED_WORDS[key] in basis.decision
    assert "有关条款" not in basis.citation and "第三方不同意公开" not in basis.decision
    if key == "other.other":
        assert basis.citation == ""
        return
    assert basis.citation.startswith("本答复依据")
    assert basis.articles in basis.citation
    expected_source = legal.REG
    assert basis.source == expected_source


@pytest.mark.parametrize("key", OUTCOME_KEYS)
def test_remedy_notice_per_entry(key):
    text = legal.remedy_notice(key, review_body="淄博市人民政府", court="淄博市张店区人民法院")
    assert "淄博市人民政府" in text and "淄博市张店区人民法院" in text
    assert "六十日" in text
    if key.startswith("withheld.") and key != "withheld.administrative_query":
        assert "应当先向淄博市人民政府申请行政复议" in text
        assert "第二十三条" in text
        assert "十五日内" in text and "第四十五条" in text
        # Art. 45: also when the review period ends without a decision; Art. 18: venue choice.
        assert "行政复议机关逾期不作决定的，可以在复议期满之日起十五日内" in text
        assert "淄博市张店区人民法院或者淄博市人民政府所在地人民法院" in text
        assert "第十八条第一款" in text
        assert "六个月" not in text, "a refusal may not be sued directly"
        assert legal.review_first(key)
    elif key == "partially_disclosed":
        # The withheld part goes to review first, the rest as usual.
        assert "应当先向" in text and "第二十三条" in text and "六个月" in text
    else:
        assert "六个月内向淄博市张店区人民法院提起行政诉讼" in text
        assert "应当先" not in text
        assert not legal.review_first(key)


def test_variants_already_public_and_other_agency():
    assert legal.legal_basis("disclosed", already_public=True).articles == "第三十六条第（一）项"
    assert "已经主动公开" in legal.legal_basis("disclosed", already_public=True).decision
    assert (
        legal.legal_basis("unavailable.not_held", other_agency=True).articles
        == "第三十六条第（五）项"
    )
    assert legal.legal_basis("disclosed").articles == "第三十六条第（二）项"


def test_missing_review_body_is_visible_in_the_text():
    text = legal.remedy_notice("disclosed", review_body="", court="")
    assert legal.PLACEHOLDER_REVIEW_BODY in text and legal.PLACEHOLDER_COURT in text


@pytest.mark.parametrize(
    "rank, fee",
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)],
)
def test_fee_per_request_bands(rank, fee):
    assert fees.per_request_rate(rank) == fee
    assert fees.fee_per_request(rank).amount == fee


@pytest.mark.parametrize(
    "pages, fee",
    [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_fee_per_volume_progressive(pages, fee):
    result = fees.fee_per_volume(pages)
    assert result.amount == fee
    assert result.lines[-1] == f"合计：{fee}元。"


def test_fee_standard_unknown_is_refused():
    with pytest.raises(ValueError):
        fees.fee_compute("both", 3)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.integers(min_value=0, max_value=5000))
def test_fee_per_volume_is_the_sum_of_per_page_rates(pages):
    def page_rate(n):
        return 0 if n <= 30 else 10 if n <= 100 else 20 if n <= 200 else 40

    assert fees.fee_per_volume(pages).amount == sum(page_rate(n) for n in range(1, pages + 1))


@given(st.integers(min_value=1, max_value=500))
def test_fee_per_request_rises_by_100_every_band_of_ten_after_30(rank):
    rate = fees.per_request_rate(rank)
    if rank > 30:
        assert rate == 100 * (2 + (rank - 31) // 10)
    assert fees.per_request_rate(rank + 1) >= rate


def test_administrative_query_is_a_referral_with_the_ordinary_remedy_and_keeps_its_row():
    from requests_app.outcomes import TABLE3_OUTCOME_ROWS_2021, table3_row_key

    assert not legal.review_first("withheld.administrative_query")
    assert legal.legal_basis("withheld.administrative_query").articles == "第三十六条第（七）项"
    assert (
        table3_row_key("withheld.administrative_query", "2021") == "withheld.administrative_query"
    )
    assert dict(TABLE3_OUTCOME_ROWS_2021)["withheld.administrative_query"].endswith(
        "8.属于行政查询事项"
    )
    # Review first: every Art. 14–16 refusal and the withheld part of a partial disclosure.
    assert {k for k in legal.LEGAL_BASES if legal.review_first(k)} == {
        "partially_disclosed",
        "withheld.state_secret",
        "withheld.prohibited_by_law",
        "withheld.three_safeties_one_stability",
        "withheld.third_party_rights",
        "withheld.internal_affairs",
        "withheld.process_information",
        "withheld.enforcement_case_file",
    }
