"""Reads about agencies and who may do what where. One place for the access rules."""

from django.contrib.auth.models import AbstractBaseUser

from .models import Agency, Membership, Role
from .tree import agency_tree_changed, agency_tree_children

STAFF_ROLES = {Role.CLERK, Role.HANDLER, Role.APPROVER}


def agency_subtree_ids(agency_id: int) -> set[int]:
    """The agency and every agency below it, from the cached tree (agencies/tree.py): no scan
    of the agency table per call. An id the cached tree does not know yet (an agency written
    without signals) makes it read the table again once."""
    children, every = agency_tree_children()
    if agency_id not in every and Agency.objects.filter(pk=agency_id).exists():
        agency_tree_changed()
        children, every = agency_tree_children()
    found, stack = set(), [agency_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


def user_roles(user: AbstractBaseUser, agency_id: int) -> set[str]:
    """Roles the user holds directly in this agency."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, agency_id=agency_id).values_list("role", flat=True)
    )


def user_visible_agency_ids(user: AbstractBaseUser) -> set[int]:
    """Agencies whose cases the user may read: own agencies for staff, subtrees for supervisors.

    Auditors (lawyers) and administrators see no cases through this path."""
    if not user.is_authenticated:
        return set()
    visible: set[int] = set()
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        if role == Role.SUPERVISOR:
            visible |= agency_subtree_ids(agency_id)
        elif role in STAFF_ROLES:
            visible.add(agency_id)
    return visible


def user_has_role(user: AbstractBaseUser, agency_id: int, roles: set[str] | frozenset[str]) -> bool:
    return bool(user_roles(user, agency_id) & set(roles))
