from django import template

from agencies.selectors import user_roles
from letters.integrity import letter_flagged_ids
from letters.models import LetterKind
from letters.selectors import letter_list_for_case
from letters.services import LETTER_ROLES, letter_action_roles

register = template.Library()


@register.simple_tag
def letters_panel(case, user) -> dict:
    """The case's letters and what the user may do with them (the case page's panel)."""
    roles = user_roles(user, case.agency_id)
    letters = list(letter_list_for_case(case))
    return {
        "letters": letters,
        "tampered": letter_flagged_ids([letter.pk for letter in letters if letter.sha256]),
        "kinds": LetterKind.choices,
        "can_draft": bool(roles & LETTER_ROLES["draft"])
        or bool(roles & LETTER_ROLES["draft_receipt"]),
        "can_approve": bool(roles & LETTER_ROLES["approve"]),
        "can_issue": bool(roles & LETTER_ROLES["issue"]),
        "can_receipt": bool(roles & letter_action_roles("issue_receipt", case.agency)),
    }
