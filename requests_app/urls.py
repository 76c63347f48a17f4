from django.urls import path

from . import views

app_name = "requests_app"
urlpatterns = [
    path("", views.home, name="home"),
    path("worklist/", views.worklist, name="worklist"),
    path("intake/", views.intake_channels, name="intake"),
    path("intake/<str:channel>/", views.intake_form, name="intake_form"),
    path("supervision/", views.supervision, name="supervision"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/registered/", views.intake_done, name="intake_done"),
    path("cases/<uuid:public_id>/edit/", views.case_edit, name="case_edit"),
    path(
        "cases/<uuid:public_id>/personal-data/",
        views.case_personal_data,
        name="case_personal_data",
    ),
    path("cases/<uuid:public_id>/assign/", views.case_assign_view, name="case_assign"),
    path("cases/<uuid:public_id>/act/<str:action>/", views.case_act, name="case_act"),
    path(
        "cases/<uuid:public_id>/attachments/",
        views.case_attachment_upload,
        name="case_attachment_upload",
    ),
    path(
        "cases/<uuid:public_id>/attachments/<int:pk>/",
        views.case_attachment_download,
        name="case_attachment_download",
    ),
]
