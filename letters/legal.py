"""The legal content of reply letters, in one place (SPEC §4, ogi-domain §4).

For each outcome key: the article (and item) of the Regulations cited and the standard decision
sentence; and the remedy notice (救济告知): review within 60 days or a suit within 6 months, except
refusals to disclose (every `withheld.*` key), which since 2024-01-01 must go to administrative
review first (行政复议法 2023 第二十三条第一款第（四）项、第二款), a suit then lying within 15 days of
the review decision (行政诉讼法第四十五条). A partial disclosure (Art. 37) refuses part of the
information, so its notice gives the review-first route for that part and the usual choice for
the rest.

Entries marked UNCONFIRMED in ogi-domain.md (the article for `not_processed.confirm_or_reissue`,
cited here as 第二条, the definition of government information; `withheld.administrative_query`
as the Art. 36(7) special-access regimes) are the common practice, to be checked by the office's
legal staff; changing them here changes every letter."""

from __future__ import annotations

from dataclasses import dataclass

from requests_app.outcomes import OUTCOME_KEYS, Outcome, review_first

REG = "《中华人民共和国政府信息公开条例》"
REVIEW_LAW = "《中华人民共和国行政复议法》"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"
FEE_MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"


@dataclass(frozen=True)
class LegalBasis:
    """What a reply of one outcome key cites and says."""

    articles: str  # e.g. "第三十六条第（二）项"
    decision: str  # the standard decision sentence
    source: str = REG

    @property
    def citation(self) -> str:
        """The legal-basis sentence printed in the letter (empty when no article applies)."""
        if not self.articles:
            return ""
        return f"本答复依据{self.source}{self.articles}的规定作出。"


def _withheld(articles: str, reason: str) -> LegalBasis:
    """An Art. 14/15/16 refusal: review-first (复议前置, requests_app.outcomes.review_first)."""
    return LegalBasis(
        articles=f"第三十六条第（三）项、{articles}",
        decision=f"经审查，您申请获取的政府信息{reason}，本机关决定不予公开。",
    )


LEGAL_BASES: dict[str, LegalBasis] = {
    Outcome.DISCLOSED: LegalBasis(
        "第三十六条第（二）项",
        "经审查，您申请获取的政府信息属于可以公开的政府信息，本机关决定予以公开。",
    ),
    Outcome.PARTIALLY_DISCLOSED: LegalBasis(
        "第三十七条",
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，"
        "本机关决定向您提供可以公开的部分，对其余部分不予公开。",
    ),
    Outcome.WITHHELD_STATE_SECRET: _withheld("第十四条", "属于依法确定为国家秘密的政府信息"),
    Outcome.WITHHELD_PROHIBITED_BY_LAW: _withheld(
        "第十四条", "属于法律、行政法规禁止公开的政府信息"
    ),
    Outcome.WITHHELD_THREE_SAFETIES: _withheld(
        "第十四条", "公开后可能危及国家安全、公共安全、经济安全、社会稳定"
    ),
    Outcome.WITHHELD_THIRD_PARTY: _withheld(
        "第十五条",
        "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
    ),
    Outcome.WITHHELD_INTERNAL: _withheld(
        "第十六条第一款",
        "属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等）",
    ),
    Outcome.WITHHELD_PROCESS: _withheld(
        "第十六条第二款",
        "属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息",
    ),
    Outcome.WITHHELD_ENFORCEMENT: _withheld("第十六条第二款", "属于行政执法案卷信息"),
    # An Art. 36(7) referral (not a refusal): ordinary remedy, still counted in （三）8.
    Outcome.WITHHELD_QUERY: LegalBasis(
        "第三十六条第（七）项",
        "经审查，您申请获取的信息属于行政查询事项，法律、行政法规对该类信息的获取有特别规定，"
        "请您依照该法律、行政法规的规定办理。",
    ),
    Outcome.NOT_HELD: LegalBasis(
        "第三十六条第（四）项",
        "经检索，本机关没有制作或者获取您申请公开的政府信息，该政府信息不存在。",
    ),
    Outcome.NEEDS_CREATION: LegalBasis(
        "第三十八条",
        "经审查，本机关没有现成的您所申请的信息，需要对现有政府信息进行加工、分析才能形成，"
        "本机关不予提供。",
    ),
    Outcome.STILL_UNCLEAR: LegalBasis(
        "第三十条",
        "本机关已一次性告知您需要补正的事项，经审查，您补正后的申请内容仍不明确，"
        "本机关无法确定您所申请的政府信息，无法提供。",
    ),
    Outcome.PETITION: LegalBasis(
        "第三十九条第一款",
        "经审查，您以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理，"
        "您可以通过相应渠道提出。",
    ),
    Outcome.REPEATED: LegalBasis(
        "第三十六条第（六）项",
        "经审查，本机关已就您申请公开的政府信息作出过答复，您重复申请公开相同的政府信息，本机关不予重复处理。",
    ),
    Outcome.PUBLICATION: LegalBasis(
        "第三十九条第二款",
        "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物，本机关不予处理，您可以通过公开出版物的发行渠道获取。",
    ),
    Outcome.EXCESSIVE: LegalBasis(
        "第三十五条",
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，"
        "您说明的理由不合理，本机关不予处理。",
    ),
    Outcome.CONFIRM_OR_REISSUE: LegalBasis(
        "第二条、第二十七条",
        "经审查，您的申请系要求本机关对已获取的信息予以确认或者重新出具，不属于该条例所称的"
        "获取政府信息的申请，本机关不予处理。",
    ),
    Outcome.NO_SUPPLEMENT: LegalBasis(
        "第三十条",
        "本机关已书面告知您补正申请，您无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    Outcome.FEE_UNPAID: LegalBasis(
        "第四十二条",
        f"本机关已向您发出收费通知，您逾期未按收费通知要求缴纳信息处理费，根据{FEE_MEASURES}的规定，"
        "视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    # No generic "有关条款": a withdrawal cites no article, any other ending states its basis
    # (a required detail, letters/variants.py).
    Outcome.OTHER: LegalBasis("", "本机关对您的政府信息公开申请作如下处理："),
}

# Variant of `disclosed` for information already proactively disclosed (Art. 36(1)).
ALREADY_PUBLIC = LegalBasis(
    "第三十六条第（一）项",
    "经审查，您申请获取的政府信息已经主动公开，您可以通过下列方式、途径获取该政府信息。",
)
# Variant of `not_held` when the information belongs to another agency (Art. 36(5)).
NOT_HELD_OTHER_AGENCY = LegalBasis(
    "第三十六条第（五）项",
    "经审查，您申请获取的政府信息不属于本机关负责公开。",
)

assert set(LEGAL_BASES) == set(OUTCOME_KEYS), "every outcome key needs its legal basis"


def legal_basis(
    outcome: str, *, already_public: bool = False, other_agency: bool = False
) -> LegalBasis:
    """The legal basis of a reply with this outcome key (KeyError for an unknown key)."""
    if outcome == Outcome.DISCLOSED and already_public:
        return ALREADY_PUBLIC
    if outcome == Outcome.NOT_HELD and other_agency:
        return NOT_HELD_OTHER_AGENCY
    return LEGAL_BASES[outcome]


PLACEHOLDER_REVIEW_BODY = "【行政复议机关未配置】"
PLACEHOLDER_COURT = "【管辖法院未配置】"


def remedy_notice(outcome: str, *, review_body: str, court: str) -> str:
    """The remedy notice (救济告知) of a reply with this outcome key."""
    review_body = review_body or PLACEHOLDER_REVIEW_BODY
    court = court or PLACEHOLDER_COURT
    direct = (
        f"如对本答复不服，可以自收到本答复之日起六十日内向{review_body}申请行政复议"
        f"（{REVIEW_LAW}第二十条），或者自收到本答复之日起六个月内向{court}提起行政诉讼"
        f"（{LITIGATION_LAW}第四十六条）。"
    )
    first = (
        f"根据{REVIEW_LAW}第二十三条第一款第（四）项和第二款的规定，对本机关不予公开政府信息的决定不服的，"
        f"应当先向{review_body}申请行政复议，可以自收到本答复之日起六十日内提出；"
        f"对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内，"
        f"行政复议机关逾期不作决定的，可以在复议期满之日起十五日内，"
        f"向{court}或者{review_body}所在地人民法院提起行政诉讼"
        f"（{LITIGATION_LAW}第十八条第一款、第四十五条）。"
    )
    if outcome != Outcome.PARTIALLY_DISCLOSED and review_first(outcome):
        return first
    if outcome == Outcome.PARTIALLY_DISCLOSED:
        return first + "对本答复其他内容不服的，" + direct.removeprefix("如对本答复不服，")
    return direct


# Fixed sentences of the notices (not replies).
SUPPLEMENT_CONSEQUENCE = (
    f"根据{REG}第三十条的规定，请您在上述期限内补正。答复期限自本机关收到补正后的申请之日起重新计算。"
    "您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。"
)
EXTENSION_BASIS = f"根据{REG}第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，"
# Art. 35, second branch: reasons accepted, a reasonable later reply date (延期答复告知书).
DEFERRAL_BASIS = (
    f"您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由。根据{REG}第三十五条的规定，"
    "您说明的理由合理，但本机关无法在该条例第三十三条规定的期限内答复，"
    "本机关确定延迟答复的合理期限，现将有关情况告知如下。"
)
CONSULTATION_BASIS = (
    f"根据{REG}第三十二条的规定，请您自收到本函之日起十五个工作日内提出书面意见。"
    "逾期未提出意见的，本机关将依照该条例的规定决定是否公开。"
)
# Art. 34: information made with another agency; its silence is consent.
CONSULTATION_AGENCY_BASIS = (
    f"根据{REG}第三十四条的规定，请贵机关自收到本函之日起十五个工作日内提出意见。"
    "逾期未提出意见的，视为同意公开。"
)
CONSULTATION_THIRD_PARTY_TEXT = (
    "经审查，该申请所涉信息可能涉及贵方的商业秘密、个人隐私等合法权益，公开可能对贵方合法权益造成损害。"
    "为依法作出答复，现书面征求贵方意见：贵方是否同意公开上述信息；如不同意，请说明理由。"
)
CONSULTATION_AGENCY_TEXT = (
    "经审查，该申请所涉政府信息系本机关与贵机关共同制作，为依法作出答复，"
    "现书面征求贵机关意见：贵机关是否同意公开上述信息；如不同意，请说明理由。"
)
FEE_BASIS = (
    f"根据{REG}第四十二条和{FEE_MEASURES}的规定，您的申请数量、频次明显超过合理范围，"
    "本机关依法收取信息处理费。"
)
FEE_CONSEQUENCE = (
    "缴费期限为自您收到本通知次日起二十个工作日。逾期未缴纳的，视为放弃申请，"
    "本机关不再处理该政府信息公开申请。缴费期间不计算在答复期限内。"
)
RECEIPT_BASIS = f"根据{REG}第三十三条的规定，本机关将在收到申请之日起二十个工作日内予以答复。"
