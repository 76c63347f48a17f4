"""Who may open which staff page. Object pages go through `case_get_for_user` (404 for a
case outside the user's agencies); list pages through the user's memberships."""

from __future__ import annotations

from django.http import Http404

from agencies.models import Agency, Membership, Role

from ..rules import TRANSITION_ROLES

NOT_FOUND = "页面不存在"


def user_all_roles(request) -> set[str]:
    """Every role the user holds in any agency (cached on the request: one query)."""
    cached = getattr(request, "_ogi_roles", None)
    if cached is None:
        if request.user.is_authenticated:
            cached = set(
                Membership.objects.filter(user=request.user).values_list("role", flat=True)
            )
        else:
            cached = set()
        request._ogi_roles = cached
    return cached


def agencies_where(user, roles) -> list[Agency]:
    """Agencies in which the user holds one of the roles."""
    return list(
        Agency.objects.filter(memberships__user=user, memberships__role__in=list(roles))
        .distinct()
        .order_by("code")
    )


def require_role(request, roles) -> None:
    if not user_all_roles(request) & set(roles):
        raise Http404(NOT_FOUND)


REGISTER_ROLES = TRANSITION_ROLES["register"]
EDIT_ROLES = TRANSITION_ROLES["edit"]
CASE_READER_ROLES = {Role.CLERK, Role.HANDLER, Role.APPROVER, Role.SUPERVISOR}
