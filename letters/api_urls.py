from django.urls import path

from . import api

urlpatterns = [
    path(
        "requests/<uuid:public_id>/letters/",
        api.CaseLettersApi.as_view(),
        name="api-request-letters",
    ),
    path("letters/<uuid:public_id>/", api.LetterDetailApi.as_view(), name="api-letter"),
    path("letters/<uuid:public_id>/edit/", api.LetterEditApi.as_view(), name="api-letter-edit"),
    path(
        "letters/<uuid:public_id>/approve/",
        api.LetterApproveApi.as_view(),
        name="api-letter-approve",
    ),
    path("letters/<uuid:public_id>/issue/", api.LetterIssueApi.as_view(), name="api-letter-issue"),
    path(
        "letters/<uuid:public_id>/deliveries/",
        api.LetterDeliveryApi.as_view(),
        name="api-letter-deliveries",
    ),
    path("letters/<uuid:public_id>/file/", api.LetterFileApi.as_view(), name="api-letter-file"),
]
