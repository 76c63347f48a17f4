from django import template

from agencies.selectors import user_has_role
from reporting.forms import ChallengeForm
from reporting.services import CHALLENGE_ROLES

register = template.Library()


@register.simple_tag
def challenge_panel(case, user) -> dict:
    """Context of the case page's review/litigation panel."""
    can_edit = bool(
        user and user.is_authenticated and user_has_role(user, case.agency_id, CHALLENGE_ROLES)
    )
    records = list(case.challenges.all().order_by("filed_on", "id"))
    return {
        "records": [
            (
                record,
                ChallengeForm(
                    initial={
                        "kind": record.kind,
                        "filed_on": record.filed_on,
                        "result": record.result,
                        "concluded_on": record.concluded_on,
                        "note": record.note,
                    },
                    auto_id=f"id_c{record.pk}_%s",
                ),
            )
            for record in records
        ],
        "can_edit": can_edit and case.state != "void",
        "form": ChallengeForm(auto_id="id_challenge_%s"),
    }
