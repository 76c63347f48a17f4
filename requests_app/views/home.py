from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from agencies.models import Role

from .access import user_all_roles


@login_required
def home(request):
    """Each role's starting page: supervisors their units, approvers their queue, others
    the worklist; auditors and administrators a page of links."""
    roles = user_all_roles(request)
    if Role.CLERK in roles or Role.HANDLER in roles:
        return redirect("requests_app:worklist")
    if Role.APPROVER in roles:
        return redirect("approvals:queue")
    if Role.SUPERVISOR in roles:
        return redirect("requests_app:supervision")
    return render(request, "requests_app/home_other.html", {"roles": roles})
