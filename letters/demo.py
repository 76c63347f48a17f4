"""Demo letters (called by seed_demo): the reply letters of CITY-OFFICE's current-year cases
that were closed in writing (withdrawn, deemed abandoned, fee unpaid), issued through the real
services. Safe to run again: a case that has a reply letter is left alone."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from requests_app.models import FINISHED_STATES, Case

from . import samples, services
from .models import Letter, LetterKind


def seed(stdout) -> None:
    agency = Agency.objects.filter(code="CITY-OFFICE").first()
    users = (
        get_user_model()
        .objects.filter(username__in=["handler", "approver"])
        .in_bulk(field_name="username")
    )
    if agency is None or len(users) < 2 or not (agency.review_body and agency.court):
        stdout.write("文书演示数据：缺少 CITY-OFFICE、演示账号或复议机关/法院配置，跳过。")
        return
    cases = Case.objects.filter(
        agency=agency,
        year=timezone.localdate().year,
        state__in=FINISHED_STATES,
        answered_on_the_spot=False,
    ).exclude(pk__in=Letter.objects.filter(kind=LetterKind.REPLY).values("case_id"))
    issued = 0
    for case in cases.order_by("closed_on", "id"):
        with transaction.atomic():
            letter = services.letter_draft(
                case_id=case.id,
                by=users["handler"],
                kind=LetterKind.REPLY,
                details=samples.reply_details(case.outcome),
            )
            services.letter_approve(letter_id=letter.id, by=users["approver"])
        letter = services.letter_issue(letter_id=letter.id, by=users["approver"], on=case.closed_on)
        issued += letter.render_status == "generated"
    if issued:
        stdout.write(f"已签发演示答复书 {issued} 份（{agency.name}）。")
