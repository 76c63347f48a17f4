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
    path("<int:pk>/requests/new/", views.mock_request_new, name="mock_request_new"),
    path("<int:pk>/requests/import/", views.mock_request_import, name="mock_request_import"),
    path("<int:pk>/requests/<int:number>/", views.mock_request_detail, name="mock_request_detail"),
    path("<int:pk>/requests/<int:number>/edit/", views.mock_request_edit, name="mock_request_edit"),
    path(
        "<int:pk>/requests/<int:number>/score/", views.mock_request_score, name="mock_request_score"
    ),
    path(
        "<int:pk>/requests/<int:number>/reply/", views.mock_request_reply, name="mock_request_reply"
    ),
    path("<int:pk>/requests/<int:number>/link/", views.mock_request_link, name="mock_request_link"),
    path(
        "<int:pk>/requests/<int:number>/unlink/",
        views.mock_request_unlink,
        name="mock_request_unlink",
    ),
    path("<int:pk>/requests/<int:number>/scan/", views.mock_request_scan, name="mock_request_scan"),
    path(
        "<int:pk>/requests/<int:number>/exclude/",
        views.mock_request_exclude,
        name="mock_request_exclude",
    ),
    path(
        "<int:pk>/requests/<int:number>/include/",
        views.mock_request_include,
        name="mock_request_include",
    ),
]
