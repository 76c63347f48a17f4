"""Clerk intake: one form per channel; everything validated before anything is saved, and
the case, its attachments, its history and any possible-repeat flag saved in one transaction."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ..forms import ATTACHMENT_FIELD_KIND, CHANNEL_FIELDS, IntakeForm
from ..models import Channel
from ..selectors import case_get_for_user, case_repeat_flags
from ..services.attachments import AttachmentInvalid, attachment_add, attachments_check
from ..services.cases import case_register
from ..services.deadlines import case_deadline
from ..services.intake import IntakeInvalid, intake_clean
from .access import REGISTER_ROLES, agencies_where, require_role
from .letters import receipt_letter_url

MSG_RESELECT_FILES = "页面有错误，未保存任何内容。已选择的文件需要重新选择。"


@login_required
def intake_channels(request):
    require_role(request, REGISTER_ROLES)
    channels = [(channel, CHANNEL_FIELDS[channel]) for channel in Channel]
    return render(request, "requests_app/intake_channels.html", {"channels": channels})


@login_required
def intake_form(request, channel: str):
    require_role(request, REGISTER_ROLES)
    if channel not in Channel.values:
        raise Http404("未知的申请渠道")
    agencies = agencies_where(request.user, REGISTER_ROLES)
    if request.method != "POST":
        form = IntakeForm(channel=channel, agencies=agencies)
        return _render(request, form)

    form = IntakeForm(request.POST, request.FILES, channel=channel, agencies=agencies)
    errors: dict[str, str] = {}
    agency = agencies[0]
    if "agency" in form.fields:
        chosen = {str(a.id): a for a in agencies}.get(request.POST.get("agency", ""))
        if chosen is None:
            errors["agency"] = "请选择受理机关"
        else:
            agency = chosen
    # Attachments first (type, size), then the request itself: all errors at once.
    uploads = form.uploads()
    errors.update(attachments_check(uploads))
    data = form.intake_data()
    try:
        intake_clean(data, today=timezone.localdate())
    except IntakeInvalid as exc:
        errors.update(exc.errors)
    if not errors:
        try:
            with transaction.atomic():
                case = case_register(agency=agency, by=request.user, data=data)
                for field, upload in uploads.items():
                    attachment_add(
                        case=case, kind=ATTACHMENT_FIELD_KIND[field], upload=upload, by=request.user
                    )
        except IntakeInvalid as exc:
            errors.update(exc.errors)
        except AttachmentInvalid as exc:
            errors["letter_scan"] = exc.message
        else:
            return redirect("requests_app:intake_done", public_id=case.public_id)
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)
    return _render(request, form, status=200, reselect=bool(uploads))


def _render(request, form, status=200, reselect=False):
    return render(
        request,
        "requests_app/intake_form.html",
        {
            "form": form,
            "channel": form.channel,
            "date_fields": [form[name] for name in form.date_field_names()],
            "reselect_message": MSG_RESELECT_FILES if reselect else "",
        },
        status=status,
    )


@login_required
def intake_done(request, public_id):
    case = case_get_for_user(request.user, public_id=public_id)
    deadline = case_deadline(case)
    return render(
        request,
        "requests_app/intake_done.html",
        {
            "case": case,
            "deadline": deadline,
            "repeats": case_repeat_flags(case),
            "receipt_url": receipt_letter_url(case),
            "case_url": reverse("requests_app:case_detail", args=[case.public_id]),
        },
    )
