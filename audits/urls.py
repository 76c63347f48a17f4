from django.urls import path

from . import views

app_name = "audits"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("our-results/", views.our_results, name="our_results"),
    path("import-template.csv", views.import_template, name="import_template"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/checklist/", views.campaign_checklist, name="campaign_checklist"),
    path("<int:pk>/act/<str:action>/", views.campaign_transition, name="campaign_transition"),
    path("<int:pk>/results/", views.campaign_results, name="campaign_results"),
    path("<int:pk>/report.docx", views.campaign_report_docx, name="campaign_report_docx"),
    path("<int:pk>/report.xlsx", views.campaign_report_xlsx, name="campaign_report_xlsx"),
    path("<int:pk>/requests/new/", views.test_request_new, name="test_request_new"),
    path("<int:pk>/requests/import/", views.test_request_import, name="test_request_import"),
    path("<int:pk>/requests/<int:number>/", views.test_request_detail, name="test_request_detail"),
    path("<int:pk>/requests/<int:number>/edit/", views.test_request_edit, name="test_request_edit"),
    path(
        "<int:pk>/requests/<int:number>/score/", views.test_request_score, name="test_request_score"
    ),
    path(
        "<int:pk>/requests/<int:number>/reply/", views.test_request_reply, name="test_request_reply"
    ),
    path("<int:pk>/requests/<int:number>/link/", views.test_request_link, name="test_request_link"),
    path(
        "<int:pk>/requests/<int:number>/unlink/",
        views.test_request_unlink,
        name="test_request_unlink",
    ),
    path("<int:pk>/requests/<int:number>/scan/", views.test_request_scan, name="test_request_scan"),
    path(
        "<int:pk>/requests/<int:number>/exclude/",
        views.test_request_exclude,
        name="test_request_exclude",
    ),
    path(
        "<int:pk>/requests/<int:number>/include/",
        views.test_request_include,
        name="test_request_include",
    ),
]
