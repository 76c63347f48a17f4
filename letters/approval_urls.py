"""The approver queue's pages, at the site root as before (/approvals/…), namespace
`approvals` (included by config/urls.py)."""

from django.urls import path

from . import approvals

app_name = "approvals"
urlpatterns = [
    path("approvals/", approvals.approvals, name="queue"),
    path(
        "approvals/<str:kind>/<uuid:public_id>/<str:verb>/",
        approvals.approval_act,
        name="act",
    ),
]
