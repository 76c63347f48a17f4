"""The details of each letter variant (SPEC §4, issue 9 item 2): which fields a letter of one
kind and outcome has, which of them are required given the others, the hint shown beside each
field (never inside the text), and the sentences composed from them — the decision, the
reasons, the access, the articles cited.

A detail is a plain string in `Letter.details`. Choice details hold one of their choice keys.
The issuing gate (letters/checks.py) refuses a letter whose required details are empty, a hint,
or only restate the outcome's category."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from requests_app.outcomes import Outcome

from . import legal


@dataclass(frozen=True)
class DetailField:
    """One field of a letter's details."""

    name: str
    label: str
    hint: str = ""  # shown beside the field (placeholder / help text), never in the letter
    kind: str = "text"  # text | textarea | choice | date
    choices: tuple[tuple[str, str], ...] = ()
    reason: bool = False  # written reasons: refused when they only restate the outcome
    basis: bool = False  # a legal basis: refused when generic ("有关条款")
    law: bool = False  # must name a law or regulation (《…》) and its article (第…条)


# --- choices ----------------------------------------------------------------------------------
WAY_PROVIDE, WAY_ONSITE, WAY_PUBLIC = "provide", "onsite", "already_public"
DISCLOSURE_WAYS = (
    (WAY_PROVIDE, "第三十六条第（二）项：随本答复书提供"),
    (WAY_ONSITE, "第三十六条第（二）项：到指定地点查阅、领取"),
    (WAY_PUBLIC, "第三十六条第（一）项：已主动公开，告知获取方式、途径"),
)
NOT_HELD_ABSENT, NOT_HELD_ELSEWHERE = "36_4", "36_5"
NOT_HELD_BASES = (
    (NOT_HELD_ABSENT, "第三十六条第（四）项：经检索，该政府信息不存在"),
    (NOT_HELD_ELSEWHERE, "第三十六条第（五）项：不属于本机关负责公开"),
)
CONSULT_DISAGREED, CONSULT_SILENT, CONSULT_NONE = "disagreed", "no_answer", "not_consulted"
CONSULTATION_RESULTS = (
    (CONSULT_DISAGREED, "已书面征求第三方意见，第三方不同意公开"),
    (CONSULT_SILENT, "已书面征求第三方意见，第三方十五个工作日内未提出意见"),
    (CONSULT_NONE, "未征求第三方意见（须写明原因）"),
)
PROVISO_CHECKED = "checked"
PROVISO_CHOICES = ((PROVISO_CHECKED, "已核查：没有法律、法规、规章规定该信息应当公开"),)
EXCESSIVE_REFUSE = "refuse"
# Art. 35's other branch (reasons accepted, a later reply date) is not a reply: it is the case
# action 确定延迟答复期限（第三十五条）, whose notice is an extension notice on this basis.
EXCESSIVE_BRANCHES = ((EXCESSIVE_REFUSE, "第三十五条：申请人说明的理由不合理，不予处理"),)
EXTENSION_ART35 = "art35"  # details["extension_basis"] of an extension notice under Art. 35
CONFIRM_ART_2_27, CONFIRM_ART_36_6 = "art_2_27", "art_36_6"
CONFIRM_BASES = (
    (CONFIRM_ART_2_27, "第二条、第二十七条：要求确认或重新出具，不属于获取政府信息的申请"),
    (CONFIRM_ART_36_6, "第三十六条第（六）项：本机关曾向该申请人提供过相同信息"),
)
OTHER_WITHDRAWAL, OTHER_OTHER = "withdrawal", "other"
OTHER_KINDS = (
    (OTHER_WITHDRAWAL, "申请人撤回申请，终止办理"),
    (OTHER_OTHER, "其他情形（须写明依据和理由）"),
)
CONSULTEE_THIRD_PARTY, CONSULTEE_AGENCY = "third_party", "agency"
CONSULTEE_KINDS = (
    (CONSULTEE_THIRD_PARTY, "第三方（第三十二条）"),
    (CONSULTEE_AGENCY, "其他行政机关（第三十四条，逾期未答复视为同意公开）"),
)

# The Art. 14/15/16 grounds a withholding (whole or in part) rests on: article and phrase.
GROUNDS: dict[str, tuple[str, str]] = {
    Outcome.WITHHELD_STATE_SECRET: ("第十四条", "属于依法确定为国家秘密的政府信息"),
    Outcome.WITHHELD_PROHIBITED_BY_LAW: ("第十四条", "属于法律、行政法规禁止公开的政府信息"),
    Outcome.WITHHELD_THREE_SAFETIES: (
        "第十四条",
        "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    ),
    Outcome.WITHHELD_THIRD_PARTY: (
        "第十五条",
        "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
    ),
    Outcome.WITHHELD_INTERNAL: ("第十六条第一款", "属于行政机关的内部事务信息"),
    Outcome.WITHHELD_PROCESS: (
        "第十六条第二款",
        "属于行政机关在履行行政管理职能过程中形成的过程性信息",
    ),
    Outcome.WITHHELD_ENFORCEMENT: ("第十六条第二款", "属于行政执法案卷信息"),
}
GROUND_CHOICES = tuple(
    (key, f"{GROUNDS[key][0]}：{Outcome(key).label.split('：', 1)[-1]}") for key in GROUNDS
)

# --- the fields -------------------------------------------------------------------------------
F = DetailField
FIELDS: dict[str, DetailField] = {
    f.name: f
    for f in [
        # notices
        F("missing", "需要补正的事项", "逐项写明申请中不明确、需要补正的内容", kind="textarea"),
        F("supplement_due", "补正期限", "YYYY-MM-DD", kind="date"),
        F(
            "short_period_reason",
            "补正期限短于本机关最短期限的理由",
            "补正期限短于本机关设定的最短期限时必填",
            kind="textarea",
            reason=True,
        ),
        F("extension_days", "延长工作日数", "1–20"),
        F("new_due", "延期后的答复期限", "YYYY-MM-DD", kind="date"),
        F(
            "extension_reason",
            "延期理由",
            "写明不能按期答复的具体原因",
            kind="textarea",
            reason=True,
        ),
        F("consultee_kind", "征求意见对象类别", kind="choice", choices=CONSULTEE_KINDS),
        F("third_party", "征求意见对象", "第三方或其他行政机关的名称/姓名"),
        F("third_party_address", "对象地址"),
        F("third_party_postcode", "对象邮政编码"),
        F(
            "fee_standard",
            "收费标准",
            kind="choice",
            choices=(("per_request", "按件计收"), ("per_volume", "按量计收")),
        ),
        F("fee_quantity", "本月第几件 / 页数", "按件：本自然月内第几件；按量：页数"),
        F("fee_amount", "金额（元）", "可不填；填写时须与按标准计算的金额一致"),
        F("payment_method", "缴费方式", "写明缴费地点、账户或方式"),
        # replies: disclosure
        F("disclosure_way", "公开方式", kind="choice", choices=DISCLOSURE_WAYS),
        F("access", "获取方式、途径", "已主动公开的，写明网站栏目、网址或查阅场所"),
        F("access_place", "查阅、领取地点", "如：本机关政务服务大厅政府信息公开窗口"),
        F("access_time", "查阅、领取时间", "如：2026年12月1日至12月15日工作日9:00-17:00"),
        # replies: withholding
        F("withheld_ground", "不予公开部分的依据", kind="choice", choices=GROUND_CHOICES),
        F(
            "withhold_reason",
            "不予公开的理由",
            "用本机关自己的话写明该信息为何属于不予公开的情形，不能只写类别名称",
            kind="textarea",
            reason=True,
        ),
        F(
            "secret_basis",
            "定密依据",
            "写明定密机关、密级和定密依据",
            basis=True,
        ),
        F(
            "prohibiting_law",
            "禁止公开的法律、行政法规及条款",
            "如：《中华人民共和国统计法》第二十五条",
            basis=True,
            law=True,
        ),
        F(
            "consultation_result",
            "征求第三方意见的结果",
            kind="choice",
            choices=CONSULTATION_RESULTS,
        ),
        F("not_consulted_why", "未征求第三方意见的原因", kind="textarea", reason=True),
        F("proviso", "第十六条第二款但书核查", kind="choice", choices=PROVISO_CHOICES),
        # replies: referral (36(7))
        F(
            "special_law",
            "规定特别查询程序的法律、行政法规及条款",
            "如：《不动产登记暂行条例》第二十七条",
            basis=True,
            law=True,
        ),
        F("query_place", "查询机构及途径", "如：某某市不动产登记中心（地址、电话）"),
        # replies: unavailable
        F("not_held_basis", "无法提供的依据", kind="choice", choices=NOT_HELD_BASES),
        F(
            "not_ours_reason",
            "不属于本机关负责公开的理由",
            "写明该信息由哪类机关制作或保存、为何不由本机关公开",
            kind="textarea",
            reason=True,
        ),
        F("responsible_agency", "负责公开的机关", "能够确定的，写明机关名称"),
        F("responsible_contact", "该机关联系方式"),
        # replies: not processed
        F("channel", "应通过的渠道", "如：信访渠道（某某市信访局）、12345热线或负责处理的机关"),
        F("earlier_number", "此前答复的文号", "如：淄政办信复〔2026〕3号"),
        F("earlier_date", "此前答复的日期", "YYYY-MM-DD", kind="date"),
        F(
            "excessive_branch",
            "第三十五条的处理",
            "理由合理但无法按期答复的，不在此答复：请在案件上办理“确定延迟答复期限（第三十五条）”",
            kind="choice",
            choices=EXCESSIVE_BRANCHES,
        ),
        F(
            "excessive_reason",
            "理由不合理的说明",
            "写明申请的数量、频次及申请人说明的理由为何不合理",
            kind="textarea",
            reason=True,
        ),
        F("confirm_basis", "不予处理的依据", kind="choice", choices=CONFIRM_BASES),
        F(
            "confirm_explanation",
            "说明",
            "写明申请人要求确认或重新出具的是什么、为何不属于获取政府信息",
            kind="textarea",
            reason=True,
        ),
        # replies: other
        F("other_kind", "其他处理的情形", kind="choice", choices=OTHER_KINDS),
        F(
            "other_basis",
            "处理依据（法律、法规及条款）",
            "写明具体的法律、法规名称和条款",
            basis=True,
            law=True,
        ),
        F("other_reason", "处理情况及理由", kind="textarea", reason=True),
    ]
}

# Fields shown for each letter kind / reply outcome (all of them; which are required depends on
# the others, see `required_fields`).
_GROUND_FIELDS = ["secret_basis", "prohibiting_law", "consultation_result", "not_consulted_why"]
_NOTICE_FIELDS = {
    "receipt": [],
    "supplement_notice": ["missing", "supplement_due", "short_period_reason"],
    "extension_notice": ["extension_days", "new_due", "extension_reason"],
    "consultation_letter": [
        "consultee_kind",
        "third_party",
        "third_party_address",
        "third_party_postcode",
    ],
    "fee_notice": ["fee_standard", "fee_quantity", "fee_amount", "payment_method"],
}
_REPLY_FIELDS: dict[str, list[str]] = {
    Outcome.DISCLOSED: ["disclosure_way", "access", "access_place", "access_time"],
    Outcome.PARTIALLY_DISCLOSED: [
        "withheld_ground",
        "withhold_reason",
        *_GROUND_FIELDS,
        "proviso",
        "access",
    ],
    Outcome.WITHHELD_STATE_SECRET: ["withhold_reason", "secret_basis"],
    Outcome.WITHHELD_PROHIBITED_BY_LAW: ["withhold_reason", "prohibiting_law"],
    Outcome.WITHHELD_THREE_SAFETIES: ["withhold_reason"],
    Outcome.WITHHELD_THIRD_PARTY: ["withhold_reason", "consultation_result", "not_consulted_why"],
    Outcome.WITHHELD_INTERNAL: ["withhold_reason"],
    Outcome.WITHHELD_PROCESS: ["withhold_reason", "proviso"],
    Outcome.WITHHELD_ENFORCEMENT: ["withhold_reason", "proviso"],
    Outcome.WITHHELD_QUERY: ["special_law", "query_place"],
    Outcome.NOT_HELD: [
        "not_held_basis",
        "not_ours_reason",
        "responsible_agency",
        "responsible_contact",
    ],
    Outcome.PETITION: ["channel"],
    Outcome.REPEATED: ["earlier_number", "earlier_date"],
    Outcome.EXCESSIVE: ["excessive_branch", "excessive_reason"],
    Outcome.CONFIRM_OR_REISSUE: ["confirm_basis", "confirm_explanation"],
    Outcome.OTHER: ["other_kind", "other_basis", "other_reason"],
}


def field_names(kind: str, outcome: str = "") -> list[str]:
    if kind == "reply":
        return list(_REPLY_FIELDS.get(outcome, []))
    return list(_NOTICE_FIELDS.get(kind, []))


def fields_for(kind: str, outcome: str = "") -> list[DetailField]:
    """Every detail field of a letter of this kind (and, for a reply, outcome)."""
    return [FIELDS[name] for name in field_names(kind, outcome)]


def _v(details: dict, name: str) -> str:
    return str(details.get(name, "") or "").strip()


def ground_of(outcome: str, details: dict) -> str:
    """The Art. 14/15/16 ground of a withholding: the outcome itself, or for a partial
    disclosure the ground the handler chose for the withheld part."""
    if outcome == Outcome.PARTIALLY_DISCLOSED:
        return _v(details, "withheld_ground")
    return outcome if outcome in GROUNDS else ""


def _ground_required(ground: str, details: dict) -> list[str]:
    if ground == Outcome.WITHHELD_STATE_SECRET:
        return ["secret_basis"]
    if ground == Outcome.WITHHELD_PROHIBITED_BY_LAW:
        return ["prohibiting_law"]
    if ground == Outcome.WITHHELD_THIRD_PARTY:
        required = ["consultation_result"]
        if _v(details, "consultation_result") == CONSULT_NONE:
            required.append("not_consulted_why")
        return required
    if ground in (Outcome.WITHHELD_PROCESS, Outcome.WITHHELD_ENFORCEMENT):
        return ["proviso"]
    return []


def required_fields(kind: str, outcome: str, details: dict) -> list[DetailField]:
    """The details a letter cannot be approved or issued without, given the others."""
    names: list[str] = []
    if kind == "supplement_notice":
        names = ["missing", "supplement_due"]
    elif kind == "extension_notice":
        names = ["new_due", "extension_reason"]
    elif kind == "consultation_letter":
        names = ["consultee_kind", "third_party"]
    elif kind == "fee_notice":
        names = ["fee_standard", "fee_quantity", "payment_method"]
    elif kind == "reply":
        names = _reply_required(outcome, details)
    return [FIELDS[name] for name in names]


def _reply_required(outcome: str, details: dict) -> list[str]:
    if outcome == Outcome.DISCLOSED:
        way = _v(details, "disclosure_way")
        if way == WAY_PUBLIC:
            return ["disclosure_way", "access"]
        if way == WAY_ONSITE:
            return ["disclosure_way", "access_place", "access_time"]
        return ["disclosure_way"]
    if outcome == Outcome.PARTIALLY_DISCLOSED:
        ground = ground_of(outcome, details)
        return ["withheld_ground", "withhold_reason", *_ground_required(ground, details)]
    if outcome in GROUNDS:
        return ["withhold_reason", *_ground_required(outcome, details)]
    if outcome == Outcome.WITHHELD_QUERY:
        return ["special_law", "query_place"]
    if outcome == Outcome.NOT_HELD:
        if _v(details, "not_held_basis") == NOT_HELD_ELSEWHERE:
            required = ["not_held_basis", "not_ours_reason"]
            if _v(details, "responsible_agency"):
                required.append("responsible_contact")
            return required
        return ["not_held_basis"]
    if outcome == Outcome.PETITION:
        return ["channel"]
    if outcome == Outcome.REPEATED:
        return ["earlier_number", "earlier_date"]
    if outcome == Outcome.EXCESSIVE:
        return ["excessive_branch", "excessive_reason"]
    if outcome == Outcome.CONFIRM_OR_REISSUE:
        return ["confirm_basis", "confirm_explanation"]
    if outcome == Outcome.OTHER:
        if _v(details, "other_kind") == OTHER_OTHER:
            return ["other_kind", "other_basis", "other_reason"]
        return ["other_kind"]
    return []


# --- composing the reply's text ---------------------------------------------------------------
def chinese_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return f"{value.year}年{value.month}月{value.day}日"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；.;" else text + "。"


@dataclass(frozen=True)
class ReplyText:
    """The parts of a reply composed from its outcome and details."""

    decision: list[str]  # paragraphs before the handler's own
    withhold_reason: str  # printed as 不予公开的理由
    access: str  # printed as 获取方式、途径
    citation: str  # the legal-basis sentence ("" when none applies)
    responsible_agency: str = ""
    responsible_contact: str = ""


def _citation(articles: str, extra: str = "") -> str:
    if not articles and not extra:
        return ""
    cited = f"{legal.REG}{articles}" if articles else ""
    if extra:
        cited = f"{cited}和{extra}" if cited else extra
    return f"本答复依据{cited}的规定作出。"


def _ground_sentences(ground: str, details: dict) -> list[str]:
    """What the handler recorded for the ground, as sentences of the reasons."""
    out: list[str] = []
    if ground == Outcome.WITHHELD_STATE_SECRET:
        out.append(f"该信息的定密依据：{_sentence(_v(details, 'secret_basis'))}")
    elif ground == Outcome.WITHHELD_PROHIBITED_BY_LAW:
        out.append(f"禁止公开该信息的规定：{_sentence(_v(details, 'prohibiting_law'))}")
    elif ground == Outcome.WITHHELD_THIRD_PARTY:
        result = _v(details, "consultation_result")
        if result == CONSULT_DISAGREED:
            out.append(
                f"本机关已依照{legal.REG}第三十二条的规定书面征求第三方意见，第三方不同意公开，"
                "且本机关认为不公开不会对公共利益造成重大影响。"
            )
        elif result == CONSULT_SILENT:
            out.append(
                f"本机关已依照{legal.REG}第三十二条的规定书面征求第三方意见，"
                "第三方自收到征求意见书之日起十五个工作日内未提出意见，本机关依照该条例的规定作出决定。"
            )
        elif result == CONSULT_NONE:
            reason = _sentence(_v(details, "not_consulted_why"))
            out.append(f"本机关未征求第三方意见，原因是：{reason}")
    elif ground in (Outcome.WITHHELD_PROCESS, Outcome.WITHHELD_ENFORCEMENT):
        out.append(f"经核查，没有法律、法规、规章规定该信息应当公开（{legal.REG}第十六条第二款）。")
    return out


def reply_text(outcome: str, details: dict, *, withdrawn_on: str = "") -> ReplyText:
    """The decision, reasons, access and legal basis of a reply, from its outcome and details."""
    base = legal.LEGAL_BASES[outcome]
    reason, access, agency, contact = "", "", "", ""
    decision = [base.decision]
    citation = base.citation
    if outcome == Outcome.DISCLOSED:
        way = _v(details, "disclosure_way")
        if way == WAY_PUBLIC:
            decision = [legal.ALREADY_PUBLIC.decision]
            citation = legal.ALREADY_PUBLIC.citation
            access = _v(details, "access")
        elif way == WAY_ONSITE:
            place, time = _v(details, "access_place"), _v(details, "access_time")
            access = f"请您于{time}到{place}查阅、领取。" + _v(details, "access")
        else:
            access = _v(details, "access") or "随本答复书向您提供所申请的政府信息。"
    elif outcome == Outcome.PARTIALLY_DISCLOSED:
        ground = ground_of(outcome, details)
        article, phrase = GROUNDS.get(ground, ("", ""))
        if phrase:
            decision = [
                "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，"
                f"本机关决定向您提供可以公开的部分；其余部分{phrase}，本机关决定不予公开。"
            ]
        reason = "".join(
            [_sentence(_v(details, "withhold_reason")), *_ground_sentences(ground, details)]
        ).strip()
        access = _v(details, "access") or "随本答复书向您提供可以公开的部分。"
        extra = (
            _v(details, "prohibiting_law") if ground == Outcome.WITHHELD_PROHIBITED_BY_LAW else ""
        )
        citation = _citation("第三十七条" + (f"、{article}" if article else ""), extra)
    elif outcome in GROUNDS:
        reason = "".join(
            [_sentence(_v(details, "withhold_reason")), *_ground_sentences(outcome, details)]
        ).strip()
        if outcome == Outcome.WITHHELD_PROHIBITED_BY_LAW:
            citation = _citation(base.articles, _v(details, "prohibiting_law"))
    elif outcome == Outcome.WITHHELD_QUERY:
        law, place = _v(details, "special_law"), _v(details, "query_place")
        decision = [
            f"经审查，您申请获取的信息属于{law}规定的查询事项，该法律、行政法规对信息的获取有特别规定，"
            "不属于本机关依申请公开政府信息的范围。",
            f"请您依照{law}的规定，向{place}申请查询。",
        ]
        citation = _citation(base.articles, law)
    elif outcome == Outcome.NOT_HELD:
        if _v(details, "not_held_basis") == NOT_HELD_ELSEWHERE:
            decision = [
                legal.NOT_HELD_OTHER_AGENCY.decision
                + "理由是："
                + _sentence(_v(details, "not_ours_reason"))
            ]
            citation = legal.NOT_HELD_OTHER_AGENCY.citation
            agency, contact = _v(details, "responsible_agency"), _v(details, "responsible_contact")
    elif outcome == Outcome.PETITION:
        decision = [
            "经审查，您以政府信息公开申请的形式进行信访、投诉、举报等活动，"
            "本机关不作为政府信息公开申请处理。"
            f"您可以通过{_v(details, 'channel')}提出。"
        ]
    elif outcome == Outcome.REPEATED:
        decision = [
            f"经审查，本机关已于{chinese_date(_v(details, 'earlier_date'))}"
            f"以{_v(details, 'earlier_number')}就您申请公开的政府信息作出答复，"
            "您重复申请公开相同的政府信息，本机关不予重复处理。"
        ]
    elif outcome == Outcome.EXCESSIVE:
        decision = [
            base.decision,
            "具体情况：" + _sentence(_v(details, "excessive_reason")),
        ]
    elif outcome == Outcome.CONFIRM_OR_REISSUE:
        explanation = _sentence(_v(details, "confirm_explanation"))
        if _v(details, "confirm_basis") == CONFIRM_ART_36_6:
            decision = [
                "经审查，本机关此前已向您提供过您申请的相同政府信息，您的申请系要求本机关对该信息"
                "予以确认或者重新出具，本机关不予重复处理。",
                explanation,
            ]
            citation = _citation("第三十六条第（六）项")
        else:
            decision = [
                "经审查，您的申请系要求本机关对已获取的信息予以确认或者重新出具。"
                f"{legal.REG}第二条、第二十七条规定的是获取政府信息的权利，"
                "不包括要求行政机关确认或者重新出具已获取的信息，本机关不予处理。",
                explanation,
            ]
    elif outcome == Outcome.OTHER:
        if _v(details, "other_kind") == OTHER_OTHER:
            decision = [_sentence(_v(details, "other_reason"))]
            citation = _citation("", _v(details, "other_basis"))
        else:
            on = f"您已于{withdrawn_on}撤回申请。" if withdrawn_on else ""
            decision = [f"{on}根据您的撤回申请，本机关终止办理。"]
            citation = ""
    return ReplyText(
        decision=[p for p in decision if p.strip()],
        withhold_reason=reason,
        access=access,
        citation=citation,
        responsible_agency=agency,
        responsible_contact=contact,
    )
