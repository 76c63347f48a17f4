from django import template

from portal.selectors import staff_nav_counts as _staff_nav_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_nav_counts(context) -> dict[str, int]:
    """The signed-in user's unread messages and online requests waiting for confirmation."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"unread": 0, "pending": 0}
    return _staff_nav_counts(request.user)
