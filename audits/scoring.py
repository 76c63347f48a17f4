"""The checklist of SPEC §8, the system's pre-filled verdicts and the score arithmetic.

Pure functions: no ORM here (facts are gathered by `audits.selectors.mock_request_facts`).

Scoring rule (one place; `campaign_results` and every report use it):

* Each checklist item has a weight (分值). An item whose weight is 0 is not scored.
* A verdict is one of pass / fail / not_applicable / cannot_tell (or missing while unscored).
* An agency's score is 100 × (sum of the weights of its `pass` verdicts) ÷ (sum of the weights
  of its `pass` and `fail` verdicts), over all its test requests. `not_applicable`,
  `cannot_tell` and missing verdicts are left out of both sums: they neither earn nor lose
  points (an item that does not apply is no free pass; an item the lawyer cannot judge — say,
  whether a seal is genuine on a copy — is not held against the agency). A reply that cites no
  legal basis fails the item "legal basis cited and correct" (it is not cited; whether it would
  be correct cannot be told). The score is rounded half up to one decimal; an agency with no
  pass or fail verdict at all has no score (shown "—") and ranks last.
* An item's pass rate over the campaign is passes ÷ (passes + fails), counting every test request
  once, unweighted; not_applicable, cannot_tell and missing are reported but not in the rate.
* Agencies are ranked by score, highest first; equal scores share a rank ("1, 1, 3").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from requests_app.outcomes import Outcome, review_first, withholds_information
from requests_app.rules import SUPPLEMENT_WINDOW_DAYS

PASS, FAIL, NOT_APPLICABLE, CANNOT_TELL = "pass", "fail", "not_applicable", "cannot_tell"
JUDGED = (PASS, FAIL)
VERDICT_LABELS = {PASS: "符合", FAIL: "不符合", NOT_APPLICABLE: "不适用", CANNOT_TELL: "无法判断"}
OUTCOME_LABELS = dict(Outcome.choices)


@dataclass(frozen=True)
class ItemSpec:
    key: str
    label: str
    weight: int
    description: str


# The default checklist created with every campaign (SPEC §8); weights add up to 100.
DEFAULT_CHECKLIST: list[ItemSpec] = [
    ItemSpec("accepted", "渠道畅通，申请被受理", 10, "申请渠道有效，机关收到并登记了申请。"),
    ItemSpec(
        "supplement",
        "补正告知及时、明确",
        10,
        "如需补正，在收到申请之日起7个工作日内一次性告知，并写明需补正的事项和期限（条例第三十条）。",
    ),
    ItemSpec(
        "timely",
        "在法定期限内答复",
        20,
        "自收到申请之日起20个工作日内答复，经批准延期的不超过延长后的期限（条例第三十三条）。",
    ),
    ItemSpec("written_sealed", "书面答复并加盖印章", 10, "以书面形式答复，加盖机关印章。"),
    ItemSpec("outcome_fits", "答复结果恰当", 15, "答复结果与申请内容相符（对照预期办理结果）。"),
    ItemSpec(
        "legal_basis",
        "引用法律依据且正确",
        10,
        "答复书写明所依据的条例条款且引用正确；未写明依据的，无法判断是否正确，记为不符合。",
    ),
    ItemSpec(
        "withholding_reasons",
        "不予公开说明理由",
        10,
        "不予公开（含部分公开）的，说明理由（条例第三十六条第三项、第三十七条）。",
    ),
    ItemSpec(
        "referral",
        "告知负责机关",
        5,
        "本机关不掌握但能够确定负责机关的，告知其名称和联系方式（条例第三十六条第五项）。",
    ),
    ItemSpec(
        "remedy_notice",
        "救济途径告知完整正确",
        10,
        "告知申请复议的期限（60日）和复议机关、起诉的期限（6个月）和法院；"
        "不予公开的答复须告知先申请复议（复议前置）。",
    ),
]


@dataclass
class LetterFacts:
    """What an issued reply letter's text shows (from the letters app, when it has one)."""

    issued_on: dt.date | None
    number: str = ""
    cites_basis: bool | None = None
    basis_note: str = ""
    gives_reasons: bool | None = None
    names_agency: bool | None = None
    remedy_ok: bool | None = None
    remedy_note: str = ""


@dataclass
class ReplyFacts:
    """Everything known about how a test request was handled, from the case or by hand."""

    linked: bool
    today: dt.date
    accepted: bool | None = None  # None = not known
    void: bool = False
    received_on: dt.date | None = None
    due: dt.date | None = None
    due_provisional: bool = False
    due_steps: list[str] = field(default_factory=list)
    supplement_on: dt.date | None = None
    supplement_days: int | None = None  # working days from receipt to the supplement notice
    supplement_text: str = ""
    replied_on: dt.date | None = None
    days_late: int = 0  # working days after the due date
    outcome: str = ""
    has_scan: bool = False
    letter: LetterFacts | None = None
    letters_available: bool = False


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def _outcome_label(key: str) -> str:
    return OUTCOME_LABELS.get(key, key or "—")


def checklist_prefill(facts: ReplyFacts, expected_outcome: str) -> dict[str, tuple[str, str]]:
    """The system's suggested verdict and note per default item key; the lawyer confirms or
    corrects. Items it cannot know are `cannot_tell` with the reason."""
    out: dict[str, tuple[str, str]] = {}
    source = "系统案件记录" if facts.linked else "律师登记的答复情况"
    no_reply_overdue = (
        facts.replied_on is None and facts.due is not None and facts.today > facts.due
    )

    # accepted
    if facts.void:
        out["accepted"] = (FAIL, "机关将该申请作废，未作为申请办理。")
    elif facts.accepted or facts.received_on:
        out["accepted"] = (PASS, f"机关收到申请之日：{_d(facts.received_on)}（{source}）。")
    elif facts.replied_on:
        out["accepted"] = (PASS, f"机关已于 {_d(facts.replied_on)} 答复。")
    else:
        out["accepted"] = (CANNOT_TELL, "尚无机关收到申请的记录。")

    # supplement notice (Art. 30)
    if facts.supplement_on is None:
        out["supplement"] = (NOT_APPLICABLE, "机关未发出补正告知。")
    elif facts.supplement_days is None:
        out["supplement"] = (
            CANNOT_TELL,
            f"补正告知日期 {_d(facts.supplement_on)}，收到申请之日不详。",
        )
    elif facts.supplement_days > SUPPLEMENT_WINDOW_DAYS:
        out["supplement"] = (
            FAIL,
            f"补正告知于 {_d(facts.supplement_on)} 发出，为收到申请后第 {facts.supplement_days} "
            f"个工作日，超过7个工作日。",
        )
    elif facts.supplement_text.strip():
        out["supplement"] = (
            PASS,
            f"补正告知于收到申请后第 {facts.supplement_days} 个工作日发出；告知内容："
            f"“{facts.supplement_text.strip()[:200]}”（请核对是否写明需补正的事项）。",
        )
    else:
        out["supplement"] = (
            CANNOT_TELL,
            f"补正告知于收到申请后第 {facts.supplement_days} 个工作日发出，告知内容未登记，"
            "请对照告知书判断是否明确。",
        )

    # timely (Art. 33), computed by the case deadline engine
    provisional = "（期限为暂定：该年度节假日安排尚未录入）" if facts.due_provisional else ""
    if facts.due is None:
        out["timely"] = (CANNOT_TELL, "收到申请之日不详，无法计算答复期限。")
    elif facts.replied_on is not None:
        if facts.replied_on <= facts.due:
            out["timely"] = (
                PASS,
                f"答复日期 {_d(facts.replied_on)}，答复期限 {_d(facts.due)}{provisional}。",
            )
        else:
            out["timely"] = (
                FAIL,
                f"答复日期 {_d(facts.replied_on)}，超过答复期限 {_d(facts.due)}"
                f"（逾期 {facts.days_late} 个工作日）{provisional}。",
            )
    elif no_reply_overdue:
        out["timely"] = (
            FAIL,
            f"截至 {_d(facts.today)} 未收到答复，答复期限 {_d(facts.due)} 已过{provisional}。",
        )
    else:
        out["timely"] = (CANNOT_TELL, f"尚未答复，答复期限 {_d(facts.due)} 未届满{provisional}。")

    # written with seal
    if no_reply_overdue:
        out["written_sealed"] = (FAIL, "逾期未收到书面答复。")
    elif facts.letter is not None:
        number = f"（{facts.letter.number}）" if facts.letter.number else ""
        out["written_sealed"] = (
            CANNOT_TELL,
            f"机关已出具书面答复书{number}；是否加盖印章请对照送达的答复书确认。",
        )
    elif facts.has_scan:
        out["written_sealed"] = (
            CANNOT_TELL,
            "已上传答复书扫描件，请对照扫描件确认书面形式和印章。",
        )
    else:
        out["written_sealed"] = (CANNOT_TELL, "系统中无答复书，请对照收到的答复确认。")

    # outcome fits the request (vs the expected handling)
    if not facts.outcome:
        out["outcome_fits"] = (
            FAIL if no_reply_overdue else CANNOT_TELL,
            "逾期未答复。" if no_reply_overdue else "尚无答复结果。",
        )
    elif facts.outcome == expected_outcome:
        out["outcome_fits"] = (PASS, f"答复结果“{_outcome_label(facts.outcome)}”与预期一致。")
    else:
        out["outcome_fits"] = (
            FAIL,
            f"预期“{_outcome_label(expected_outcome)}”，实际答复“{_outcome_label(facts.outcome)}”。",
        )

    letter = facts.letter
    no_letter_note = (
        "系统中没有该答复书的文本，请对照答复书判断。"
        if facts.letters_available or not facts.linked
        else "本系统尚未提供已出具答复书的文本，请对照答复书判断。"
    )

    # legal basis cited and correct
    if not facts.outcome:
        out["legal_basis"] = (
            FAIL if no_reply_overdue else CANNOT_TELL,
            "逾期未答复。" if no_reply_overdue else "尚未答复。",
        )
    elif letter is not None and letter.cites_basis is not None:
        if letter.cites_basis:
            out["legal_basis"] = (
                PASS,
                f"答复书引用了依据：{letter.basis_note}（请核对是否正确）。",
            )
        else:
            out["legal_basis"] = (FAIL, "答复书未写明法律依据，无法判断是否正确。")
    else:
        out["legal_basis"] = (CANNOT_TELL, no_letter_note)

    # reasons for withholding
    if withholds_information(facts.outcome or ""):
        if letter is not None and letter.gives_reasons is not None:
            out["withholding_reasons"] = (
                (PASS, "答复书说明了不予公开的理由。")
                if letter.gives_reasons
                else (FAIL, "答复书未说明不予公开的理由。")
            )
        else:
            out["withholding_reasons"] = (CANNOT_TELL, no_letter_note)
    elif facts.outcome:
        out["withholding_reasons"] = (NOT_APPLICABLE, "答复结果不涉及不予公开。")
    else:
        out["withholding_reasons"] = (CANNOT_TELL, "尚无答复结果。")

    # referral names the responsible agency
    if facts.outcome == Outcome.NOT_HELD:
        if letter is not None and letter.names_agency is not None:
            out["referral"] = (
                (PASS, "答复书告知了负责机关及其联系方式。")
                if letter.names_agency
                else (
                    CANNOT_TELL,
                    "答复书未告知负责机关；能够确定负责机关的，应告知其名称和联系方式"
                    "（条例第三十六条第五项），此时应记为不符合。",
                )
            )
        else:
            out["referral"] = (CANNOT_TELL, no_letter_note)
    elif facts.outcome:
        out["referral"] = (NOT_APPLICABLE, "答复结果不是“本机关不掌握”。")
    else:
        out["referral"] = (CANNOT_TELL, "尚无答复结果。")

    # remedy notice
    if not facts.outcome:
        out["remedy_notice"] = (
            FAIL if no_reply_overdue else CANNOT_TELL,
            "逾期未答复。" if no_reply_overdue else "尚未答复。",
        )
    elif letter is not None and letter.remedy_ok is not None:
        out["remedy_notice"] = (
            (PASS, letter.remedy_note or "答复书告知了救济途径。")
            if letter.remedy_ok
            else (FAIL, letter.remedy_note or "答复书未告知或未正确告知救济途径。")
        )
    else:
        out["remedy_notice"] = (CANNOT_TELL, no_letter_note)
    return out


# --- arithmetic ----------------------------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")


def weighted_score(verdicts: list[tuple[int, str]]) -> Decimal | None:
    """100 × Σ weight(pass) ÷ Σ weight(pass or fail), half up to one decimal; None if nothing
    was judged. `verdicts` is a list of (weight, verdict); other verdicts are ignored."""
    earned = sum(w for w, v in verdicts if v == PASS and w > 0)
    possible = sum(w for w, v in verdicts if v in JUDGED and w > 0)
    if possible == 0:
        return None
    return (Decimal(100) * earned / possible).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def pass_rate(verdicts: list[str]) -> Decimal | None:
    """Percentage of passes among pass + fail, half up to one decimal; None if none judged."""
    passes = sum(1 for v in verdicts if v == PASS)
    judged = sum(1 for v in verdicts if v in JUDGED)
    if judged == 0:
        return None
    return (Decimal(100) * passes / judged).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def competition_ranks(scores: list[Decimal | None]) -> list[int | None]:
    """Ranks for scores already sorted best first: equal scores share a rank (1, 1, 3);
    agencies without a score get no rank."""
    ranks: list[int | None] = []
    for i, score in enumerate(scores):
        if score is None:
            ranks.append(None)
        elif i > 0 and scores[i - 1] == score:
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks


# --- reading an issued reply letter's text ---------------------------------------------------

_REG_CITATION = re.compile(r"政府信息公开条例》([^。；]{1,60}?)(?:的规定|规定)")
_ARTICLE = re.compile(
    r"第[一二三四五六七八九十百零]+条(?:第[一二三四五六七八九十]+款)?(?:第（[一二三四五六七八九十]+）项)?"
)


def inspect_reply_text(text: str, outcome: str, *, issued_on=None, number: str = "") -> LetterFacts:
    """What a reply's text shows about the checklist items a letter can answer: whether it
    cites an article of the Regulations, gives reasons for withholding, names the responsible
    agency (for `unavailable.not_held`) and carries a complete remedy notice (60 days for
    review, 6 months for a suit — or review first for refusals to disclose)."""
    # the articles cited right after the Regulations' name ("…条例》第三十六条第（二）项的规定")
    cited = [a.strip() for a in _REG_CITATION.findall(text) if _ARTICLE.search(a)]
    if not cited and "政府信息公开条例" in text:
        cited = _ARTICLE.findall(text.split("政府信息公开条例", 1)[1])[:1]
    cites = bool(cited)
    facts = LetterFacts(issued_on=issued_on, number=number)
    facts.cites_basis = cites
    facts.basis_note = "；".join(dict.fromkeys(cited)) if cites else ""
    if withholds_information(outcome or ""):
        facts.gives_reasons = any(w in text for w in ("理由", "属于", "因", "由于", "涉及"))
    if outcome == Outcome.NOT_HELD:
        facts.names_agency = "负责" in text and any(
            w in text for w in ("联系电话", "联系方式", "联系")
        )
    review = "行政复议" in text and any(w in text for w in ("六十日", "60日", "60天"))
    suit = any(w in text for w in ("行政诉讼", "起诉")) and any(
        w in text for w in ("六个月", "6个月", "十五日", "15日")
    )
    placeholder = "未配置" in text
    if not (review and suit) or placeholder:
        facts.remedy_ok = False
        facts.remedy_note = (
            "救济告知中的复议机关或法院未写明。"
            if placeholder
            else "答复书未完整告知申请行政复议（60日）和提起行政诉讼的途径和期限。"
        )
    elif review_first(outcome or "") and not any(w in text for w in ("先向", "应当先", "复议前置")):
        facts.remedy_ok = False
        facts.remedy_note = (
            "不予公开的答复未告知须先申请行政复议（复议前置，行政复议法第二十三条）。"
        )
    else:
        facts.remedy_ok = True
        facts.remedy_note = "答复书告知了申请行政复议和提起行政诉讼的途径和期限。"
    return facts
