from django import template

from portal.selectors import submissions_pending_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_pending_count(context) -> int:
    """Online requests waiting for the signed-in user to confirm (the worklist badge)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return submissions_pending_for_user(request.user).count()
