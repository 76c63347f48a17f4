"""Season pages: the supervising office's dashboard, a unit's problems and draft checks, the
unit's "re-check now", the draft's .docx. Thin: access through `season.selectors` (supervisors
of the unit or above; anyone else gets 404), writes through `season.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.downloads import file_download
from reporting.models import PublishedReport
from reporting.stats import COLUMN_LABELS

from . import selectors, services
from .drafts import draft_docx
from .models import Draft, SeasonRun, UnitSweep
from .sweep import KINDS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request, today) -> int:
    raw = request.GET.get("year")
    if raw:
        try:
            year = int(raw)
        except ValueError as exc:
            raise Http404("年度无效") from exc
        if not 2019 <= year <= today.year:
            raise Http404("年度无效")
        return year
    return services.season_year(today) or today.year - 1


@login_required
def dashboard(request):
    today = timezone.localdate()
    year = _year(request, today)
    roots = selectors.supervised_roots(request.user)
    if not roots:
        raise Http404("仅政务公开办可查看年报季")
    code = request.GET.get("office")
    root = next((r for r in roots if r.code == code), roots[0])
    board = selectors.dashboard(root, year, today)
    status = request.GET.get("status", "")
    units = [u for u in board.units if not status or u["status"] == status]
    return render(
        request,
        "season/dashboard.html",
        {
            "board": board,
            "units": units,
            "roots": roots,
            "status": status,
            "status_labels": selectors.STATUS_LABELS,
            "year": year,
        },
    )


@login_required
def unit_page(request, code: str, year: int):
    agency = selectors.unit_get_for_user(request.user, code)
    sweep = UnitSweep.objects.filter(agency=agency, year=year).first()
    draft = Draft.objects.filter(agency=agency, year=year, consolidated=False).first()
    findings = []
    if sweep is not None:
        for finding in sweep.findings:
            label, hint = KINDS[finding["kind"]]
            findings.append({**finding, "label": label, "hint": hint})
    carry_cases = (draft.carry_over or {}).get("cases", []) if draft else []
    return render(
        request,
        "season/unit.html",
        {
            "agency": agency,
            "year": year,
            "sweep": sweep,
            "counts": [(KINDS[k][0], n) for k, n in (sweep.counts.items() if sweep else []) if n],
            "findings": findings,
            "draft": draft,
            "carry_cases": carry_cases,
            "column_labels": COLUMN_LABELS,
            "published": PublishedReport.objects.filter(
                agency=agency, year=year, consolidated=False
            )
            .order_by("-revision")
            .first(),
            "runs": SeasonRun.objects.filter(agency=agency, year=year)[:5],
        },
    )


@login_required
@require_POST
def unit_rerun(request, code: str, year: int):
    agency = selectors.unit_get_for_user(request.user, code)
    run = services.unit_rerun(agency, year, timezone.localdate(), by=request.user)
    if run.summary.get("clean"):
        messages.success(request, "已重新检查：草稿无问题，可以发布。")
    else:
        messages.warning(request, "已重新检查：草稿仍有问题，请见下方。")
    return redirect("season:unit", code=agency.code, year=year)


@login_required
def draft_download(request, code: str, year: int):
    agency = selectors.unit_get_for_user(request.user, code)
    consolidated = request.GET.get("consolidated") == "1"
    draft = Draft.objects.filter(agency=agency, year=year, consolidated=consolidated).first()
    if draft is None:
        raise Http404("尚无草稿")
    kind = "汇总" if consolidated else ""
    return file_download(draft_docx(draft), f"{agency.name}{year}年度报告{kind}草稿.docx", DOCX)
