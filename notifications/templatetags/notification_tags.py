from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context) -> int:
    """The signed-in user's unread in-app notifications (the nav badge)."""
    request = context.get("request")
    return unread_count(request.user) if request is not None else 0
