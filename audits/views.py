"""Pages of the mock-test audits: thin views over `audits.services` and `audits.selectors`."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids
from common.downloads import download_name, file_download
from requests_app.outcomes import Outcome
from requests_app.rules import RuleViolation

from . import reports, scoring, selectors, services
from .forms import CampaignForm, ImportForm, MockRequestForm, ReplyForm, score_form_class
from .models import AuditEvent, CampaignStatus

OUTCOME_LABELS = dict(Outcome.choices)


def _errors_to_form(form, exc: Exception) -> None:
    if isinstance(exc, services.AuditInvalid):
        if isinstance(exc.errors, list):
            for line in exc.errors:
                form.add_error(None, line)
        else:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, RuleViolation):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _roles(request, campaign):
    return {
        "is_supervisor": selectors.campaign_user_is_supervisor(request.user, campaign),
        "is_lawyer": selectors.campaign_user_is_lawyer(request.user, campaign),
    }


def _supervised_agencies(user) -> list[Agency]:
    return list(
        Agency.objects.filter(memberships__user=user, memberships__role=Role.SUPERVISOR)
        .distinct()
        .order_by("code")
    )


@login_required
def campaign_list(request):
    campaigns = selectors.campaign_list_for_user(request.user).prefetch_related("agencies")
    return render(
        request,
        "audits/campaign_list.html",
        {
            "campaigns": campaigns,
            "can_create": bool(_supervised_agencies(request.user)),
            "has_own_results": selectors.user_has_published_results(request.user),
        },
    )


@login_required
def campaign_create(request):
    supervised = _supervised_agencies(request.user)
    if not supervised:
        raise Http404("测评不存在")
    chosen = next(
        (
            a
            for a in supervised
            if str(a.id) == (request.POST.get("supervising") or request.GET.get("supervising"))
        ),
        supervised[0],
    )
    targets = Agency.objects.filter(pk__in=agency_subtree_ids(chosen.id) - {chosen.id}).order_by(
        "code"
    )
    lawyers = list(_auditors())
    form = CampaignForm(request.POST or None, agencies=targets, lawyers=lawyers)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                by=request.user, supervising_agency=chosen, data=form.cleaned_data
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "测评已创建，已生成默认评分项。")
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "audits/campaign_form.html",
        {
            "form": form,
            "supervised": supervised,
            "chosen": chosen,
            "campaign": None,
        },
    )


def _auditors():
    ids = Membership.objects.filter(role=Role.AUDITOR).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


@login_required
def campaign_edit(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    if not selectors.campaign_user_is_supervisor(request.user, campaign):
        raise Http404("测评不存在")
    targets = Agency.objects.filter(
        pk__in=agency_subtree_ids(campaign.supervising_agency_id) - {campaign.supervising_agency_id}
    ).order_by("code")
    initial = {
        "name": campaign.name,
        "period_start": campaign.period_start,
        "period_end": campaign.period_end,
        "description": campaign.description,
        "agency_ids": [str(i) for i in campaign.agencies.values_list("id", flat=True)],
        "lawyer_ids": [str(u.id) for u in campaign.lawyers.all()],
    }
    form = CampaignForm(
        request.POST or None, initial=initial, agencies=targets, lawyers=_auditors()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign_id=campaign.pk,
                by=request.user,
                data=form.cleaned_data,
                reason=form.cleaned_data.get("reason", ""),
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(request, "audits/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    requests = list(campaign.test_requests.select_related("agency", "case").order_by("number"))
    states = services.mock_request_scoring_states(campaign)
    return render(
        request,
        "audits/campaign_detail.html",
        {
            "campaign": campaign,
            **_roles(request, campaign),
            "agencies": selectors.campaign_target_agencies(campaign),
            "lawyers": campaign.lawyers.order_by("username"),
            "test_requests": [
                (tr, states.get(tr.id), services.SCORING_STATE_LABELS[states[tr.id]])
                for tr in requests
            ],
            "actions": [
                (name, label, services.campaign_transition_problems(campaign, name))
                for name, label in services.campaign_actions_available(campaign, request.user)
            ],
            "events": AuditEvent.objects.filter(campaign=campaign)
            .select_related("actor", "test_request")
            .order_by("-at", "-id")[:50],
            "items": campaign.items.all(),
            "can_add": campaign.status in services.REQUEST_ENTRY_STATUSES,
            "import_form": ImportForm(),
        },
    )


@login_required
@require_POST
def campaign_transition(request, pk, action):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    try:
        services.campaign_transition(
            campaign_id=campaign.pk,
            by=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已执行：{services.TRANSITIONS[action][0]}")
    return redirect("audits:campaign_detail", pk=campaign.pk)


@login_required
def campaign_checklist(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    if not selectors.campaign_user_is_supervisor(request.user, campaign):
        raise Http404("测评不存在")
    items = list(campaign.items.all())
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = [
            {
                "id": item.id,
                "label": request.POST.get(f"label_{item.id}", item.label),
                "weight": request.POST.get(f"weight_{item.id}", item.weight),
                "position": request.POST.get(f"position_{item.id}", item.position),
                "description": request.POST.get(f"description_{item.id}", item.description),
            }
            for item in items
        ]
        if request.POST.get("new_label") or request.POST.get("new_key"):
            rows.append(
                {
                    "key": request.POST.get("new_key", ""),
                    "label": request.POST.get("new_label", ""),
                    "weight": request.POST.get("new_weight", ""),
                    "position": len(items) + 1,
                    "description": request.POST.get("new_description", ""),
                }
            )
        try:
            services.checklist_update(
                campaign_id=campaign.pk,
                by=request.user,
                items=rows,
                reason=request.POST.get("reason", ""),
            )
        except services.AuditInvalid as exc:
            errors = exc.errors if isinstance(exc.errors, dict) else {"": "；".join(exc.errors)}
        except RuleViolation as exc:
            errors = {"": exc.message}
        else:
            messages.success(request, "评分项已保存。")
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "audits/checklist.html",
        {
            "campaign": campaign,
            "rows": [
                (
                    n,
                    item,
                    {
                        k.split("-", 2)[2]: v
                        for k, v in errors.items()
                        if k.startswith(f"items-{n}-")
                    },
                )
                for n, item in enumerate(items)
            ],
            "new_errors": {
                k.split("-", 2)[2]: v
                for k, v in errors.items()
                if k.startswith(f"items-{len(items)}-")
            },
            "errors": errors.get(""),
            "total": sum(i.weight for i in items),
            "editable": campaign.status != CampaignStatus.PUBLISHED,
        },
    )


@login_required
def mock_request_new(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    form = MockRequestForm(
        request.POST or None, agencies=selectors.campaign_target_agencies(campaign)
    )
    if request.method == "POST" and form.is_valid():
        try:
            tr = services.mock_request_create(
                campaign_id=campaign.pk, by=request.user, data=form.cleaned_data
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"已新增模拟申请 {tr.code}。")
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(request, "audits/test_request_form.html", {"campaign": campaign, "form": form})


@login_required
def mock_request_edit(request, pk, number):
    """Correct a test request's own data (e.g. the date sent, needed before scoring)."""
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    initial = {
        "agency_id": str(tr.agency_id),
        "channel": tr.channel,
        "sent_on": tr.sent_on,
        "tracking_number": tr.tracking_number,
        "applicant_identity": tr.applicant_identity,
        "request_text": tr.request_text,
        "expected_outcome": tr.expected_outcome,
    }
    form = MockRequestForm(
        request.POST or None, initial=initial, agencies=selectors.campaign_target_agencies(campaign)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mock_request_update(
                campaign_id=campaign.pk, number=tr.number, by=request.user, data=form.cleaned_data
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{tr.code} 已保存。")
            return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)
    return render(
        request, "audits/test_request_form.html", {"campaign": campaign, "form": form, "tr": tr}
    )


@login_required
def mock_request_import(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = services.mock_requests_import(
                campaign_id=campaign.pk,
                by=request.user,
                content=upload.read(),
                filename=upload.name,
            )
        except services.AuditInvalid as exc:
            problems = exc.errors if isinstance(exc.errors, list) else list(exc.errors.values())
        except RuleViolation as exc:
            problems = [exc.message]
        else:
            messages.success(request, f"已导入模拟申请 {len(created)} 件。")
            return redirect("audits:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "audits/import.html",
        {
            "campaign": campaign,
            "form": form,
            "problems": problems,
            "columns": services.IMPORT_COLUMNS,
        },
        status=400 if problems else 200,
    )


def _score_initial(items, existing, suggestions):
    initial = {}
    for item in items:
        score = existing.get(item.id)
        if score is not None:
            initial[f"verdict_{item.id}"], initial[f"note_{item.id}"] = score.verdict, score.note
        elif item.key in suggestions:
            initial[f"verdict_{item.id}"], initial[f"note_{item.id}"] = suggestions[item.key]
    return initial


@login_required
def mock_request_detail(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    roles = _roles(request, campaign)
    items = list(campaign.items.all())
    existing = {s.item_id: s for s in tr.scores.all()}
    facts = selectors.mock_request_facts(tr)
    suggestions = scoring.checklist_prefill(facts, tr.expected_outcome)
    score_form = score_form_class(items)(initial=_score_initial(items, existing, suggestions))
    reply_form = ReplyForm(
        initial={
            "received_on": tr.received_on,
            "supplement_on": tr.supplement_on,
            "supplement_text": tr.supplement_text,
            "supplement_answered_on": tr.supplement_answered_on,
            "extension_days": tr.extension_days,
            "replied_on": tr.replied_on,
            "reply_outcome": tr.reply_outcome,
            "reply_note": tr.reply_note,
        }
    )
    return _detail(
        request, campaign, tr, roles, items, existing, suggestions, facts, score_form, reply_form
    )


def _detail(
    request,
    campaign,
    tr,
    roles,
    items,
    existing,
    suggestions,
    facts,
    score_form,
    reply_form,
    status=200,
):
    query = request.GET.get("q", "")
    can_reply = roles["is_lawyer"] and campaign.status in services.REPLY_STATUSES
    candidates = (
        selectors.audit_case_search(campaign, tr, query) if can_reply and not tr.case_id else []
    )
    rows = [
        {
            "item": item,
            "verdict_field": score_form[f"verdict_{item.id}"],
            "note_field": score_form[f"note_{item.id}"],
            "suggested": suggestions.get(item.key),
            "suggested_label": scoring.VERDICT_LABELS.get(suggestions.get(item.key, ("",))[0], ""),
            "saved": existing.get(item.id),
        }
        for item in items
    ]
    return render(
        request,
        "audits/mock_request_detail.html",
        {
            "campaign": campaign,
            "tr": tr,
            **roles,
            "facts": facts,
            "rows": rows,
            "score_form": score_form,
            "reply_form": reply_form,
            "can_reply": can_reply,
            "can_exclude": (roles["is_lawyer"] or roles["is_supervisor"])
            and campaign.status in services.REPLY_STATUSES,
            "candidates": candidates,
            "q": query,
            "outcome_label": OUTCOME_LABELS.get(facts.outcome, ""),
            "expected_label": OUTCOME_LABELS.get(tr.expected_outcome, ""),
            "events": tr.events.select_related("actor").order_by("-at", "-id"),
        },
        status=status,
    )


@login_required
@require_POST
def mock_request_score(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    items = list(campaign.items.all())
    form = score_form_class(items)(request.POST)
    if form.is_valid():
        verdicts = {
            item.id: (form.cleaned_data[f"verdict_{item.id}"], form.cleaned_data[f"note_{item.id}"])
            for item in items
        }
        try:
            services.mock_request_score(
                campaign_id=campaign.pk, number=tr.number, by=request.user, verdicts=verdicts
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{tr.code} 评分已保存。")
            return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)
    facts = selectors.mock_request_facts(tr)
    suggestions = scoring.checklist_prefill(facts, tr.expected_outcome)
    existing = {s.item_id: s for s in tr.scores.all()}
    return _detail(
        request,
        campaign,
        tr,
        _roles(request, campaign),
        items,
        existing,
        suggestions,
        facts,
        form,
        ReplyForm(),
        status=400,
    )


@login_required
@require_POST
def mock_request_reply(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.mock_request_record_reply(
                campaign_id=campaign.pk,
                number=tr.number,
                by=request.user,
                data=form.cleaned_data,
                scan=form.cleaned_data.get("reply_scan"),
            )
        except (services.AuditInvalid, RuleViolation) as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "答复情况已登记。")
            return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)
    items = list(campaign.items.all())
    facts = selectors.mock_request_facts(tr)
    suggestions = scoring.checklist_prefill(facts, tr.expected_outcome)
    existing = {s.item_id: s for s in tr.scores.all()}
    score_form = score_form_class(items)(initial=_score_initial(items, existing, suggestions))
    return _detail(
        request,
        campaign,
        tr,
        _roles(request, campaign),
        items,
        existing,
        suggestions,
        facts,
        score_form,
        form,
        status=400,
    )


@login_required
@require_POST
def mock_request_link(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    try:
        services.mock_request_link_case(
            campaign_id=campaign.pk,
            number=tr.number,
            by=request.user,
            case_id=_int_or_zero(request.POST.get("case_id")),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已关联案件，评分表已按案件记录预填。")
    return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)


@login_required
@require_POST
def mock_request_unlink(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    try:
        services.mock_request_unlink_case(
            campaign_id=campaign.pk,
            number=tr.number,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已取消关联。")
    return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)


@login_required
@require_POST
def mock_request_exclude(request, pk, number):
    """Leave the test request out of the scores, with a reason (`services.mock_request_exclude`)."""
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    try:
        services.mock_request_exclude(
            campaign_id=campaign.pk,
            number=tr.number,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{tr.code} 已排除出评分。")
    return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)


@login_required
@require_POST
def mock_request_include(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    try:
        services.mock_request_include(
            campaign_id=campaign.pk,
            number=tr.number,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{tr.code} 已恢复计入评分。")
    return redirect("audits:mock_request_detail", pk=campaign.pk, number=tr.number)


@login_required
def mock_request_scan(request, pk, number):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    tr = selectors.mock_request_get(campaign, number)
    if not tr.reply_scan:
        raise Http404("没有扫描件")
    ext = PurePath(tr.reply_scan.name).suffix
    name = download_name(campaign.name, tr.number, "答复书扫描件", ext=ext) if ext else "scan"
    name = tr.reply_scan_name or name
    return file_download(
        tr.reply_scan.open("rb"),
        name,
        mimetypes.guess_type(name)[0] or "application/octet-stream",
    )


@login_required
def campaign_results(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    results = selectors.campaign_results(campaign)
    return render(
        request,
        "audits/results.html",
        {
            "campaign": campaign,
            "results": results,
            **_roles(request, campaign),
            "summary": reports.summary_lines(results),
            "exclusions": reports.exclusion_lines(results),
            "rule": reports.RULE_TEXT,
        },
    )


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    return file_download(data, filename, content_type)


@login_required
def campaign_report_docx(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    data = reports.campaign_report_docx(selectors.campaign_results(campaign))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(
        data,
        download_name(campaign.name, "测评报告", stamp, ext="docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def campaign_report_xlsx(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    data = reports.campaign_report_xlsx(selectors.campaign_results(campaign))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(
        data,
        download_name(campaign.name, "测评结果", stamp, ext="xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def our_results(request):
    """Agency staff: their own agency's results of published campaigns (nothing before)."""
    found = selectors.published_results_for_user(request.user)
    return render(
        request,
        "audits/our_results.html",
        {
            "found": found,
            "verdict_labels": scoring.VERDICT_LABELS,
            "outcome_labels": OUTCOME_LABELS,
        },
    )


@login_required
def import_template(request):
    """A CSV with the import columns and one example row."""
    lines = (
        ",".join(services.IMPORT_COLUMNS)
        + "\r\n"
        + (
            "ZD-GOV,mail_signed,2026-09-01,EMS1234567890,申请公开2025年度财政预算执行情况,"
            "自然人（律师助理）,disclosed\r\n"
        )
    )
    return _download(("\ufeff" + lines).encode("utf-8"), "test-requests-template.csv", "text/csv")


def _int_or_zero(value) -> int:
    """A posted id; anything that is not a number is no case at all (the service says so)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
