"""Approver queue (sign-off on one page): cases awaiting approval with their reply letters,
letters waiting for sign-off and extension requests. In letters (issue 12) because it signs
letters; it uses the case pages' forms and actions from below.

Every card carries its own ids (prefixed with the case's or the letter's key) and posts to its
own case; a refused action comes back under the card it belongs to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.selectors import user_has_role
from requests_app.actions import ACTIONS
from requests_app.forms import QueueReturnForm, QueueSignOffForm
from requests_app.rules import RuleViolation
from requests_app.selectors import case_approval_queue, case_get_for_user
from requests_app.services.cases import CaseConflict, case_return_for_revision
from requests_app.views.access import require_role
from requests_app.views.case import action_form, conflict_message

from .models import Letter, LetterKind, LetterState
from .services import LETTER_ROLES, action_for
from .signoff import letter_paragraphs, letter_return, letter_sign_off, letters_waiting_for

EXTENSION_ACTIONS = ("approve_extension", "refuse_extension")
QUEUE_LIMIT = 200
INLINE_LIMIT = 30  # letters rendered inline per section; the rest open on their own page
MSG_NO_REPLY_LETTER = "承办人尚未拟写答复书：须先拟写答复书，才能审核签发并办结"
MSG_LETTER_CHANGED = "文书在您阅读后已被修改，请重新阅读后再签发"
MSG_SIGNED_REPLY = "已审核、签发答复书并办结：{number}"
MSG_SIGNED_LETTER = "已审核并签发：{kind} {number}"
MSG_RETURNED = "已退回承办人：{case_no}"


def _seen(letter: Letter | None) -> str:
    return letter.updated_at.isoformat() if letter is not None else ""


def _card_forms(key: str, case, letter, bound: dict) -> dict:
    initial = {"expected_version": case.version, "seen": _seen(letter)}
    return {
        "signoff": bound.get(f"{key}-signoff")
        or QueueSignOffForm(prefix=f"{key}-signoff", initial=initial),
        "return": bound.get(f"{key}-return")
        or QueueReturnForm(prefix=f"{key}-return", initial=initial),
    }


def _reply_letter(case) -> Letter | None:
    """The reply the approver signs: the newest one not issued yet, else the issued one
    (issued from the letters page but the case not yet closed)."""
    letters = [letter for letter in case.letters.all() if letter.kind == LetterKind.REPLY]
    waiting = [letter for letter in letters if letter.state != LetterState.ISSUED]
    pool = waiting or letters
    return max(pool, key=lambda letter: (letter.created_at, letter.id)) if pool else None


def _paragraphs_if_ready(letter: Letter) -> list[str]:
    """The letter's text inline, or nothing while its file is being rendered (an issued reply
    is committed as pending before its file is stored: another approver's page load in that
    moment must not fail — found by bench/load)."""
    try:
        return letter_paragraphs(letter)
    except RuleViolation:
        return []


def approvals_context(request, *, bound: dict | None = None) -> dict:
    bound = bound or {}
    replies, extensions = case_approval_queue(request.user)
    reply_cards = []
    for n, case in enumerate(replies.prefetch_related("letters")[:QUEUE_LIMIT]):
        key = f"c{case.pk}"
        letter = _reply_letter(case)
        inline = letter is not None and (n < INLINE_LIMIT or f"{key}-signoff" in bound)
        reply_cards.append(
            {
                "key": key,
                "public_id": case.public_id,
                "case": case,
                "letter": letter,
                "paragraphs": _paragraphs_if_ready(letter) if inline else [],
                "blocked": "" if letter else MSG_NO_REPLY_LETTER,
                **_card_forms(key, case, letter, bound),
            }
        )
    letter_cards = []
    waiting = letters_waiting_for(request.user).exclude(kind=LetterKind.REPLY)[:QUEUE_LIMIT]
    for n, letter in enumerate(waiting):
        key = f"l{letter.pk}"
        inline = n < INLINE_LIMIT or f"{key}-signoff" in bound
        letter_cards.append(
            {
                "key": key,
                "public_id": letter.public_id,
                "case": letter.case,
                "letter": letter,
                "paragraphs": letter_paragraphs(letter) if inline else [],
                "blocked": "",
                **_card_forms(key, letter.case, letter, bound),
            }
        )
    next_url = reverse("approvals:queue")
    return {
        "replies": reply_cards,
        "letters": letter_cards,
        "extensions": [
            {"case": c, "entries": [action_form(c, ACTIONS[name]) for name in EXTENSION_ACTIONS]}
            for c in extensions[:QUEUE_LIMIT]
        ],
        "next": next_url,
        "today": timezone.localdate(),
    }


@login_required
def approvals(request):
    require_role(request, {Role.APPROVER})
    return render(request, "requests_app/approvals.html", approvals_context(request))


def _target(request, kind: str, public_id) -> tuple[str, object, Letter | None]:
    """(card key, case, letter) of a posted card; 404 outside the user's agencies."""
    if kind == "case":
        case = case_get_for_user(request.user, public_id=public_id)
        letter = _reply_letter(case)
        return f"c{case.pk}", case, letter
    letter = get_object_or_404(
        Letter.objects.filter(~Q(kind=LetterKind.REPLY)), public_id=public_id
    )
    case = case_get_for_user(request.user, case_id=letter.case_id)
    return f"l{letter.pk}", case, letter


@login_required
@require_POST
def approval_act(request, kind: str, public_id, verb: str):
    """One card's sign-off (审核、签发、办结) or return (退回承办人); a refusal re-renders the
    queue with the error and the typed values under that card only."""
    require_role(request, {Role.APPROVER})
    if kind not in ("case", "letter") or verb not in ("signoff", "return"):
        raise Http404("页面不存在")
    key, case, letter = _target(request, kind, public_id)
    roles = LETTER_ROLES[action_for(letter, "approve")] if letter else {Role.APPROVER}
    if not user_has_role(request.user, case.agency_id, roles):
        raise Http404("页面不存在")
    form_class = QueueSignOffForm if verb == "signoff" else QueueReturnForm
    form = form_class(request.POST, prefix=f"{key}-{verb}")
    if form.is_valid():
        values = form.cleaned_data
        try:
            if verb == "signoff":
                if letter is None:
                    raise RuleViolation(MSG_NO_REPLY_LETTER)
                if values["seen"] != _seen(letter):  # sign only what the approver has read
                    raise CaseConflict(MSG_LETTER_CHANGED)
                done = letter_sign_off(
                    letter_id=letter.pk,
                    by=request.user,
                    on=values.get("on"),
                    expected_version=values["expected_version"],
                )
                template = MSG_SIGNED_REPLY if done.kind == LetterKind.REPLY else MSG_SIGNED_LETTER
                messages.success(
                    request, template.format(kind=done.get_kind_display(), number=done.number)
                )
            else:  # the letter goes back with its case; a case without one goes back alone
                returned = {"reason": values["reason"], "by": request.user}
                returned["expected_version"] = values["expected_version"]
                if letter is not None:
                    letter_return(letter_id=letter.pk, **returned)
                else:
                    case_return_for_revision(case_id=case.pk, **returned)
                messages.success(request, MSG_RETURNED.format(case_no=case.case_no))
        except CaseConflict as exc:
            form.add_error(None, conflict_message(exc))
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("approvals:queue")
    context = approvals_context(request, bound={f"{key}-{verb}": form})
    return render(request, "requests_app/approvals.html", context, status=200)
