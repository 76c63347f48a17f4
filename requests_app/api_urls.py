from django.urls import path

from .api import views

urlpatterns = [
    path("requests/", views.CaseListApi.as_view(), name="api-requests"),
    path("requests/<uuid:public_id>/", views.CaseDetailApi.as_view(), name="api-request"),
    path(
        "requests/<uuid:public_id>/assign/",
        views.CaseAssignApi.as_view(),
        name="api-request-assign",
    ),
    path(
        "requests/<uuid:public_id>/history/",
        views.CaseHistoryApi.as_view(),
        name="api-request-history",
    ),
    path(
        "requests/<uuid:public_id>/personal-data/",
        views.CasePersonalDataApi.as_view(),
        name="api-request-personal-data",
    ),
    path(
        "requests/<uuid:public_id>/deadline/",
        views.CaseDeadlineApi.as_view(),
        name="api-request-deadline",
    ),
    *[
        path(f"requests/<uuid:public_id>/{name}/", view.as_view(), name=f"api-request-{name}")
        for name, view in views.ACTION_VIEWS.items()
    ],
    path("portal/requests/", views.PortalRequestApi.as_view(), name="api-portal-request"),
    path("portal/status/", views.PortalLookupApi.as_view(), name="api-portal-lookup"),
    path(
        "portal/requests/<str:tracking_code>/",
        views.PortalStatusApi.as_view(),
        name="api-portal-status",
    ),
]
