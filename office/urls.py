from django.urls import path

from . import views

app_name = "office"
urlpatterns = [
    path("worklist/ledger.xlsx", views.worklist_ledger, name="worklist_ledger"),
    path("worklist/batch/", views.worklist_batch, name="worklist_batch"),
    path("cases/<uuid:public_id>/archive.pdf", views.case_archive, name="case_archive"),
]
