"""The public pages (no login, no JavaScript needed) and the staff page that confirms waiting
online requests. The rules live in portal.services; every public request counts against the
same limits as the portal API (requests_app.api.throttling.portal_limits_hit)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.downloads import file_download
from common.errors import RuleViolation
from common.net import client_address
from common.ratelimit import Rate, rate_hit
from documents.models import Document
from documents.public import release_filename
from letters.models import Letter
from letters.selectors import letter_download_name
from requests_app.api.throttling import portal_limits_hit
from requests_app.models import ApplicantType, Case, DeliveryMethod, InformationForm

from . import services
from .models import Submission
from .selectors import agencies_search, submissions_pending_for_user, tracking_view

SESSION_TRACK = "portal_track"  # the tracking code this browser proved (code + phone digits)
SESSION_FILED = "portal_filed"  # the code just issued, shown once


def _too_many(request, wait: int) -> HttpResponse:
    response = render(request, "portal/limited.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def portal_limited(*, submission: bool = False, track: bool = False, count_get: bool = False):
    """Count the request against the portal's limits (per client address as the API does;
    filings also per applicant identity and globally; tracking lookups also on their own
    tighter limit) and answer 429 when one is exceeded. Every request that does work counts
    (a filing, a lookup, an upload, a download); showing the blank form or the status page
    already proven does not (`count_get`: a GET that does work, the PDF download)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD") and not count_get:
                return view(request, *args, **kwargs)
            is_post = request.method == "POST"
            wait = portal_limits_hit(request, submission=submission and is_post, data=request.POST)
            if not wait and track and is_post:
                for text in str(settings.PORTAL_RATE_TRACK).split(","):
                    if text.strip():
                        wait = rate_hit("portal-track", client_address(request), Rate.parse(text))
                        if wait:
                            break
            if wait:
                return _too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _form_context(request, *, values=None, errors=None) -> dict:
    query = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    return {
        "q": query,
        "agencies": agencies_search(query),
        "values": values or {},
        "errors": errors or {},
        "applicant_types": ApplicantType.choices,
        "delivery_methods": DeliveryMethod.choices,
        "information_forms": InformationForm.choices,
    }


@require_http_methods(["GET", "POST"])
@portal_limited(submission=True)
def home(request):
    """申请 on the portal: choose the agency (a plain GET search narrows the list), fill in."""
    if request.method == "GET":
        return render(request, "portal/home.html", _form_context(request))
    try:
        filed = services.portal_file(data=request.POST, scans=request.FILES.getlist("scans"))
    except services.PortalInvalid as exc:
        context = _form_context(request, values=request.POST, errors=exc.errors)
        return render(request, "portal/home.html", context, status=400)
    request.session[SESSION_FILED] = {
        "code": filed.tracking_code,
        "agency": filed.agency.name,
        "submitted_on": filed.submitted_on.isoformat(),
        "case_no": filed.case.case_no if filed.case else "",
        "received_on": filed.case.received_on.isoformat() if filed.case else "",
        "reply_due": filed.case.reply_due.isoformat()
        if filed.case and filed.case.reply_due
        else "",
        "provisional": bool(filed.case and filed.case.deadline_provisional),
        "waiting": filed.case is None,
        "name": request.POST.get("applicant_name", ""),
    }
    return redirect("portal:filed")


def filed(request):
    """The tracking code, shown once, as a printable receipt (the browser's print)."""
    receipt = request.session.pop(SESSION_FILED, None)
    if receipt is None:
        return redirect("portal:track")
    return render(request, "portal/filed.html", {"receipt": receipt})


@require_http_methods(["GET", "POST"])
@portal_limited(track=True)
def track(request):
    """查询: the tracking code and the last four digits of the phone number given."""
    if request.method == "GET":
        return render(request, "portal/track.html", {})
    found = services.track_lookup(request.POST.get("code", ""), request.POST.get("phone_tail", ""))
    if found is None:
        context = {"error": services.MSG_TRACK_FAILED, "code": request.POST.get("code", "")}
        return render(request, "portal/track.html", context, status=400)
    request.session.cycle_key()
    request.session[SESSION_TRACK] = found.tracking_code
    return redirect("portal:status")


def _tracked(request):
    code = request.session.get(SESSION_TRACK)
    if not code:
        return None
    return (
        Case.objects.select_related("agency").filter(tracking_code=code).first()
        or Submission.objects.select_related("agency").filter(tracking_code=code).first()
    )


def status(request):
    found = _tracked(request)
    if found is None:
        return redirect("portal:track")
    if isinstance(found, Submission):
        return render(request, "portal/status_waiting.html", {"submission": found})
    return render(request, "portal/status.html", tracking_view(found))


@require_POST
@portal_limited()
def supplement(request):
    found = _tracked(request)
    if found is None or isinstance(found, Submission):
        return redirect("portal:track")
    try:
        services.supplement_answer_online(case=found, uploads=request.FILES.getlist("supplement"))
    except services.PortalInvalid as exc:
        context = {**tracking_view(found), "errors": exc.errors}
        return render(request, "portal/status.html", context, status=400)
    messages.success(request, "补正材料已提交，记录为今日收到；答复期限自今日重新计算。")
    return redirect("portal:status")


@portal_limited(count_get=True)
def letter_download(request, public_id):
    found = _tracked(request)
    if found is None or isinstance(found, Submission):
        raise Http404
    try:
        letter, data = services.tracking_letter_pdf(case=found, letter_public_id=public_id)
    except Letter.DoesNotExist as exc:
        raise Http404 from exc
    return file_download(data, letter_download_name(letter, "pdf"), "application/pdf")


@portal_limited(count_get=True)
def document_download(request, pk: int):
    """A released document of the tracked case (only the redacted PDF, never the original)."""
    found = _tracked(request)
    if found is None or isinstance(found, Submission):
        raise Http404
    try:
        document, data = services.tracking_document_pdf(case=found, document_id=pk)
    except Document.DoesNotExist as exc:
        raise Http404 from exc
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("portal:status")
    return file_download(data, release_filename(document), "application/pdf")


@require_POST
def track_end(request):
    request.session.pop(SESSION_TRACK, None)
    return redirect("portal:track")


# --- staff: confirming waiting online requests ---------------------------------------------------
@login_required
def pending(request):
    return render(
        request,
        "portal/pending.html",
        {"submissions": submissions_pending_for_user(request.user)},
    )


@login_required
@require_POST
def confirm(request, pk: int):
    submission = get_object_or_404(Submission, pk=pk)
    if not services.submissions_confirmable(request.user, submission):
        raise PermissionDenied
    try:
        case = services.submission_confirm(submission_id=submission.pk, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("portal:pending")
    messages.success(
        request, f"已确认收到，登记为 {case.case_no}（收到申请之日 {case.received_on}）"
    )
    return redirect("requests_app:case_detail", case.public_id)
