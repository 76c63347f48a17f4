"""Outcome keys and applicant types of SPEC §3: the public contract shared by workflow,
letters, imports, exports, the API and the statistics tables."""

from django.db import models


class ApplicantType(models.TextChoices):
    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL_ENTERPRISE = "commercial_enterprise", "商业企业"
    RESEARCH_INSTITUTION = "research_institution", "科研机构"
    SOCIAL_WELFARE_ORG = "social_welfare_org", "社会公益组织"
    LEGAL_SERVICE_ORG = "legal_service_org", "法律服务机构"
    OTHER_ORG = "other_org", "其他"


APPLICANT_TYPES = [choice.value for choice in ApplicantType]


class Outcome(models.TextChoices):
    DISCLOSED = "disclosed", "予以公开"
    PARTIALLY_DISCLOSED = "partially_disclosed", "部分公开"
    WITHHELD_STATE_SECRET = "withheld.state_secret", "不予公开：属于国家秘密"
    WITHHELD_PROHIBITED_BY_LAW = "withheld.prohibited_by_law", "不予公开：其他法律行政法规禁止公开"
    WITHHELD_THREE_SAFETIES = (
        "withheld.three_safeties_one_stability",
        "不予公开：危及“三安全一稳定”",
    )
    WITHHELD_THIRD_PARTY = "withheld.third_party_rights", "不予公开：保护第三方合法权益"
    WITHHELD_INTERNAL = "withheld.internal_affairs", "不予公开：属于三类内部事务信息"
    WITHHELD_PROCESS = "withheld.process_information", "不予公开：属于四类过程性信息"
    WITHHELD_ENFORCEMENT = "withheld.enforcement_case_file", "不予公开：属于行政执法案卷"
    WITHHELD_QUERY = "withheld.administrative_query", "不予公开：属于行政查询事项"
    NOT_HELD = "unavailable.not_held", "无法提供：本机关不掌握相关政府信息"
    NEEDS_CREATION = "unavailable.needs_creation", "无法提供：没有现成信息需要另行制作"
    STILL_UNCLEAR = "unavailable.still_unclear_after_supplement", "无法提供：补正后申请内容仍不明确"
    PETITION = "not_processed.petition_complaint", "不予处理：信访举报投诉类申请"
    REPEATED = "not_processed.repeated", "不予处理：重复申请"
    PUBLICATION = "not_processed.publication", "不予处理：要求提供公开出版物"
    EXCESSIVE = "not_processed.excessive", "不予处理：无正当理由大量反复申请"
    CONFIRM_OR_REISSUE = (
        "not_processed.confirm_or_reissue",
        "不予处理：要求行政机关确认或重新出具已获取信息",
    )
    NO_SUPPLEMENT = "other.no_supplement", "其他处理：逾期不补正"
    FEE_UNPAID = "other.fee_unpaid", "其他处理：逾期未缴纳费用"
    OTHER = "other.other", "其他处理：其他"


OUTCOME_KEYS = [choice.value for choice in Outcome]


def outcome_group(key: str) -> str:
    """The outcome group (disclosed, partially_disclosed, withheld, unavailable,
    not_processed, other) of a key."""
    return key.split(".", 1)[0]


# --- refusals (issue 12: one definition for letters, checks and audits) ----------------------
WITHHOLDING_GROUPS = ("withheld", "partially_disclosed")


def withholds_information(key: str) -> bool:
    """The reply withholds information, in whole or in part (it must give its reasons)."""
    return outcome_group(key) in WITHHOLDING_GROUPS


def review_first(key: str) -> bool:
    """复议前置: a refusal to disclose under Art. 14/15/16 — whole (withheld.*) or in part
    (Art. 37) — goes to administrative review before any lawsuit (行政复议法 2023 第二十三条);
    an Art. 36(7) referral (withheld.administrative_query) is not a refusal: ordinary remedy."""
    return withholds_information(key) and key != Outcome.WITHHELD_QUERY


# Rows of table three, in order, with their published labels (SPEC §3, ogi-domain §6.2).
TABLE3_OUTCOME_ROWS_2021: list[tuple[str, str]] = [
    ("disclosed", "（一）予以公开"),
    ("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld.state_secret", "（三）不予公开 1.属于国家秘密"),
    ("withheld.prohibited_by_law", "（三）不予公开 2.其他法律行政法规禁止公开"),
    ("withheld.three_safeties_one_stability", "（三）不予公开 3.危及“三安全一稳定”"),
    ("withheld.third_party_rights", "（三）不予公开 4.保护第三方合法权益"),
    ("withheld.internal_affairs", "（三）不予公开 5.属于三类内部事务信息"),
    ("withheld.process_information", "（三）不予公开 6.属于四类过程性信息"),
    ("withheld.enforcement_case_file", "（三）不予公开 7.属于行政执法案卷"),
    ("withheld.administrative_query", "（三）不予公开 8.属于行政查询事项"),
    ("unavailable.not_held", "（四）无法提供 1.本机关不掌握相关政府信息"),
    ("unavailable.needs_creation", "（四）无法提供 2.没有现成信息需要另行制作"),
    ("unavailable.still_unclear_after_supplement", "（四）无法提供 3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "（五）不予处理 1.信访举报投诉类申请"),
    ("not_processed.repeated", "（五）不予处理 2.重复申请"),
    ("not_processed.publication", "（五）不予处理 3.要求提供公开出版物"),
    ("not_processed.excessive", "（五）不予处理 4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息"),
    (
        "other.no_supplement",
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other.fee_unpaid",
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other.other", "（六）其他处理 3.其他"),
]
TABLE3_OUTCOME_ROWS_2019: list[tuple[str, str]] = [
    *TABLE3_OUTCOME_ROWS_2021[:18],
    ("other", "（六）其他处理"),
]


def table3_row_key(outcome: str, format_version: str) -> str:
    """The table-three row an outcome key counts in for a format ('2019' folds other.*)."""
    if format_version == "2019" and outcome_group(outcome) == "other":
        return "other"
    return outcome
