from django.urls import path

from . import views

app_name = "season"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<str:code>/<int:year>/", views.unit_page, name="unit"),
    path("units/<str:code>/<int:year>/rerun/", views.unit_rerun, name="unit_rerun"),
    path("units/<str:code>/<int:year>/draft.docx", views.draft_download, name="draft_download"),
]
