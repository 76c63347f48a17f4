"""The in-app notification list and the user's choice of channel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Preference
from .selectors import inbox_for_user
from .services import notifications_mark_read, preference_set, user_preference


@login_required
def inbox(request):
    page = Paginator(inbox_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "preference": user_preference(request.user),
            "preferences": Preference.choices,
        },
    )


@login_required
@require_POST
def mark_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    notifications_mark_read(user=request.user, ids=ids or None)
    return redirect("notifications:inbox")


@login_required
@require_POST
def preference(request):
    choice = request.POST.get("preference", "")
    if choice not in Preference.values:
        messages.error(request, "请选择接收方式")
    else:
        preference_set(user=request.user, preference=choice)
        messages.success(request, f"已设置：{Preference(choice).label}")
    return redirect("notifications:inbox")
