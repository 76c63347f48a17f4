"""Reads of campaigns, always through the user's access, and the results of a campaign.

Who sees a campaign (SPEC §8): its assigned lawyers, and supervisors whose subtree covers the
campaign's supervising agency and every agency it targets. Nobody else — in particular not the
targeted agencies' staff — until it is published; then each agency's staff see only their own
agency's results (`published_results_for_user`). Everything else is a 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids, user_visible_agency_ids
from letters.models import Letter
from requests_app.models import Case, CaseState, ClockKind
from requests_app.services.deadlines import ClockFact, case_deadline, deadline_compute
from workcalendar.selectors import calendar_get

from . import scoring
from .models import Campaign, CampaignStatus, ChecklistItem, ItemScore, MockRequest

# --- access --------------------------------------------------------------------------------


def _supervised_agency_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    found: set[int] = set()
    for agency_id in Membership.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    ):
        found |= agency_subtree_ids(agency_id)
    return found


def _covers(covered: set[int], campaign: Campaign, target_ids: set[int]) -> bool:
    return campaign.supervising_agency_id in covered and target_ids <= covered


def campaign_user_is_supervisor(user, campaign: Campaign) -> bool:
    covered = _supervised_agency_ids(user)
    return _covers(covered, campaign, set(campaign.agencies.values_list("id", flat=True)))


def campaign_user_is_lawyer(user, campaign: Campaign) -> bool:
    return user.is_authenticated and campaign.lawyers.filter(pk=user.pk).exists()


def campaign_list_for_user(user) -> QuerySet[Campaign]:
    """Campaigns the user may see: as assigned lawyer or as covering supervisor."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    ids = set(Campaign.objects.filter(lawyers=user).values_list("id", flat=True))
    covered = _supervised_agency_ids(user)
    if covered:
        targets: dict[int, set[int]] = defaultdict(set)
        candidates = list(
            Campaign.objects.filter(supervising_agency_id__in=covered).values_list("id", flat=True)
        )
        for campaign_id, agency_id in Campaign.agencies.through.objects.filter(
            campaign_id__in=candidates
        ).values_list("campaign_id", "agency_id"):
            targets[campaign_id].add(agency_id)
        ids |= {cid for cid in candidates if targets[cid] <= covered}
    return Campaign.objects.filter(id__in=ids).select_related("supervising_agency")


def campaign_get_for_user(user, campaign_id) -> Campaign:
    """One campaign the user may see, or 404 (never 403: a guessed URL learns nothing)."""
    try:
        return campaign_list_for_user(user).get(pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("测评不存在") from exc


def mock_request_get(campaign: Campaign, number) -> MockRequest:
    try:
        return campaign.test_requests.select_related("agency", "case").get(number=number)
    except (MockRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("模拟申请不存在") from exc


def campaign_target_agencies(campaign: Campaign) -> QuerySet[Agency]:
    return campaign.agencies.order_by("code")


def audit_case_search(campaign: Campaign, test_request: MockRequest, query: str = "") -> list[Case]:
    """Cases of the test request's agency (one of the campaign's targets) a lawyer may link:
    searched by case number, applicant name, tracking number or content; not yet linked."""
    if not campaign.agencies.filter(pk=test_request.agency_id).exists():
        return []
    linked = MockRequest.objects.filter(case__isnull=False).values("case_id")
    queryset = (
        Case.objects.filter(agency_id=test_request.agency_id)
        .exclude(state=CaseState.VOID)
        .exclude(id__in=linked)
        .order_by("-received_on", "-id")
    )
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(case_no__icontains=query)
            | Q(applicant_name__icontains=query)
            | Q(mail_tracking_number__icontains=query)
            | Q(content__icontains=query)
        )
    elif test_request.sent_on:
        queryset = queryset.filter(received_on__gte=test_request.sent_on)
    return list(queryset[:30])


# --- facts for the checklist -----------------------------------------------------------------


def _letter_facts(case: Case) -> tuple[bool, scoring.LetterFacts | None]:
    """The issued reply of a linked case, read from the letters app when it provides issued
    letters with their text. Returns (letters_available, facts or None)."""
    fields = {f.name for f in Letter._meta.get_fields()}
    if not {"case", "kind", "state", "body"} <= fields:
        return False, None
    letter = (
        Letter.objects.filter(case_id=case.id, kind="reply", state="issued")
        .order_by("-issued_on", "-id")
        .first()
    )
    if letter is None:
        return True, None
    text = "\n".join([letter.body or "", *_strings(getattr(letter, "context", None) or {})])
    return True, scoring.inspect_reply_text(
        text, letter.outcome or case.outcome, issued_on=letter.issued_on, number=letter.number
    )


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def mock_request_facts(
    test_request: MockRequest, *, today: dt.date | None = None
) -> scoring.ReplyFacts:
    """What is known of how the test request was handled: from the linked case (receipt,
    supplement, deadline by the case's own clock, reply date = closed_on, outcome, letter) or
    from what the lawyer recorded (deadline computed by the same engine from the receipt date:
    20 working days, restarted on a supplement, plus the recorded extension)."""
    today = today or timezone.localdate()
    case = test_request.case
    if case is not None:
        deadline = case_deadline(case)
        calendar = calendar_get(
            covering=(deadline.due or case.received_on) + dt.timedelta(days=400)
        )
        facts = scoring.ReplyFacts(
            linked=True,
            today=today,
            accepted=case.state != CaseState.VOID,
            void=case.state == CaseState.VOID,
            received_on=case.received_on,
            due=deadline.due,
            due_provisional=deadline.provisional,
            due_steps=list(deadline.steps),
            supplement_on=case.supplement_requested_on,
            supplement_text=case.supplement_missing,
            replied_on=case.closed_on if case.is_finished else None,
            outcome=case.outcome if case.is_finished else "",
        )
        facts.letters_available, facts.letter = _letter_facts(case)
    else:
        facts = scoring.ReplyFacts(
            linked=False,
            today=today,
            received_on=test_request.received_on,
            supplement_on=test_request.supplement_on,
            supplement_text=test_request.supplement_text,
            replied_on=test_request.replied_on,
            outcome=test_request.reply_outcome,
            has_scan=bool(test_request.reply_scan),
        )
        calendar = None
        if test_request.received_on:
            clock = [ClockFact(ClockKind.RECEIPT, test_request.received_on)]
            if test_request.supplement_answered_on:
                clock.append(ClockFact(ClockKind.RESTART, test_request.supplement_answered_on))
            if test_request.extension_days:
                clock.append(
                    ClockFact(
                        ClockKind.EXTENSION, test_request.received_on, test_request.extension_days
                    )
                )
            calendar = calendar_get(covering=test_request.received_on + dt.timedelta(days=400))
            deadline = deadline_compute(
                clock, calendar, channel=test_request.channel, explain=True, today=today
            )
            facts.due, facts.due_provisional, facts.due_steps = (
                deadline.due,
                deadline.provisional,
                list(deadline.steps),
            )
    if calendar is not None and facts.received_on and facts.supplement_on:
        facts.supplement_days = calendar.working_days_between(
            facts.received_on, facts.supplement_on
        )
    if calendar is not None and facts.due and facts.replied_on and facts.replied_on > facts.due:
        facts.days_late = calendar.working_days_between(facts.due, facts.replied_on)
    return facts


# --- results -----------------------------------------------------------------------------------


@dataclass
class Problem:
    agency: Agency
    test_request: MockRequest
    item: ChecklistItem
    note: str


@dataclass
class AgencyResult:
    agency: Agency
    score: Decimal | None
    rank: int | None = None
    test_requests: int = 0
    passes: int = 0
    fails: int = 0
    earned: int = 0
    possible: int = 0
    unscored: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ItemResult:
    item: ChecklistItem
    passes: int = 0
    fails: int = 0
    not_applicable: int = 0
    cannot_tell: int = 0
    unscored: int = 0
    rate: Decimal | None = None


@dataclass
class CampaignResults:
    campaign: Campaign
    agencies: list[AgencyResult]
    items: list[ItemResult]
    problems: list[Problem]
    test_request_count: int
    scored_count: int
    # Left out of every figure above, each with who excluded it, when and why.
    excluded: list[MockRequest] = field(default_factory=list)

    @property
    def common_problems(self) -> list[ItemResult]:
        """Items that failed at least once, most failures first."""
        return sorted((i for i in self.items if i.fails), key=lambda i: (-i.fails, i.item.position))


def campaign_results(campaign: Campaign, *, agency_ids: set[int] | None = None) -> CampaignResults:
    """Per-agency weighted scores, per-item pass rates, problems and ranking (rules in
    `audits.scoring`). A fixed number of queries whatever the campaign's size."""
    items = list(campaign.items.all())
    scored_items = [i for i in items if i.weight > 0]
    everything = list(
        campaign.test_requests.select_related("agency", "excluded_by").order_by("number")
    )
    requests = [tr for tr in everything if tr.excluded_at is None]
    verdicts: dict[tuple[int, int], ItemScore] = {
        (s.test_request_id, s.item_id): s
        for s in ItemScore.objects.filter(test_request__campaign=campaign)
    }
    by_agency: dict[int, AgencyResult] = {}
    for agency in campaign.agencies.order_by("code"):
        by_agency[agency.id] = AgencyResult(agency=agency, score=None)
    item_results = {i.id: ItemResult(item=i) for i in items}
    problems: list[Problem] = []
    pairs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    scored_count = 0
    for tr in requests:
        result = by_agency.setdefault(tr.agency_id, AgencyResult(agency=tr.agency, score=None))
        result.test_requests += 1
        complete, judged = True, False
        for item in scored_items:
            score = verdicts.get((tr.id, item.id))
            verdict = score.verdict if score else ""
            ir = item_results[item.id]
            judged = judged or verdict in scoring.JUDGED
            if verdict == scoring.PASS:
                ir.passes += 1
                result.passes += 1
            elif verdict == scoring.FAIL:
                ir.fails += 1
                result.fails += 1
                problem = Problem(tr.agency, tr, item, score.note if score else "")
                problems.append(problem)
                result.problems.append(problem)
            elif verdict == scoring.NOT_APPLICABLE:
                ir.not_applicable += 1
            elif verdict == scoring.CANNOT_TELL:
                ir.cannot_tell += 1
            else:
                ir.unscored += 1
                result.unscored += 1
                complete = False
            pairs[tr.agency_id].append((item.weight, verdict))
        scored_count += complete and (judged or not scored_items)
    for agency_id, result in by_agency.items():
        result.score = scoring.weighted_score(pairs[agency_id])
        result.earned = sum(w for w, v in pairs[agency_id] if v == scoring.PASS)
        result.possible = sum(w for w, v in pairs[agency_id] if v in scoring.JUDGED)
    for item in items:
        ir = item_results[item.id]
        ir.rate = scoring.pass_rate([scoring.PASS] * ir.passes + [scoring.FAIL] * ir.fails)
    ranked = sorted(
        by_agency.values(),
        key=lambda r: (r.score is None, -(r.score or 0), r.agency.code),
    )
    for result, rank in zip(
        ranked, scoring.competition_ranks([r.score for r in ranked]), strict=True
    ):
        result.rank = rank
    if agency_ids is not None:
        ranked = [r for r in ranked if r.agency.id in agency_ids]
        problems = [p for p in problems if p.agency.id in agency_ids]
    return CampaignResults(
        campaign=campaign,
        agencies=ranked,
        items=[item_results[i.id] for i in items],
        problems=problems,
        test_request_count=len(requests),
        scored_count=scored_count,
        excluded=[
            tr
            for tr in everything
            if tr.excluded_at is not None and (agency_ids is None or tr.agency_id in agency_ids)
        ],
    )


# --- after publication: each agency's own results ------------------------------------------------


@dataclass
class OwnResult:
    campaign: Campaign
    agency: Agency
    result: AgencyResult
    rows: list[tuple[MockRequest, list[ItemScore]]]


def user_has_published_results(user) -> bool:
    """Whether a published campaign targeted an agency whose cases the user may read (one query
    besides the user's agencies)."""
    own = user_visible_agency_ids(user)
    return (
        bool(own)
        and Campaign.objects.filter(status=CampaignStatus.PUBLISHED, agencies__id__in=own).exists()
    )


def published_results_for_user(user) -> list[OwnResult]:
    """Published campaigns' results for the agencies whose cases the user may read (staff:
    their own agency; supervisors: their subtree) — only those agencies, never the others."""
    own = user_visible_agency_ids(user)
    if not own:
        return []
    found: list[OwnResult] = []
    campaigns = (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED, agencies__id__in=own)
        .distinct()
        .order_by("-published_at", "-id")
    )
    for campaign in campaigns:
        target_ids = set(campaign.agencies.values_list("id", flat=True)) & own
        results = campaign_results(campaign, agency_ids=target_ids)
        by_agency: dict[int, list[MockRequest]] = defaultdict(list)
        for tr in (
            campaign.test_requests.filter(agency_id__in=target_ids)
            .select_related("case")
            .order_by("number")
        ):
            by_agency[tr.agency_id].append(tr)
        scores: dict[int, list[ItemScore]] = defaultdict(list)
        for s in (
            ItemScore.objects.filter(
                test_request__campaign=campaign, test_request__agency_id__in=target_ids
            )
            .select_related("item")
            .order_by("item__position", "item_id")
        ):
            scores[s.test_request_id].append(s)
        for result in results.agencies:
            rows = [(tr, scores[tr.id]) for tr in by_agency[result.agency.id]]
            found.append(OwnResult(campaign, result.agency, result, rows))
    return found
