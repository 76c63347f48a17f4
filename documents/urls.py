from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<uuid:public_id>/", views.case_documents, name="case_documents"),
    path("cases/<uuid:public_id>/signoff/", views.signoff, name="signoff"),
    path("cases/<uuid:public_id>/log.docx", views.log_docx, name="log_docx"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("<int:pk>/", views.workbench, name="workbench"),
    path("<int:pk>/pages/<int:page>.png", views.page_image, name="page_image"),
    path("<int:pk>/boxes/", views.box_add, name="box_add"),
    path("<int:pk>/boxes/<int:box_id>/", views.box_decide, name="box_decide"),
    path("<int:pk>/accept-all/", views.accept_all, name="accept_all"),
    path("<int:pk>/detect/", views.detect, name="detect"),
    path("<int:pk>/redact/", views.redact, name="redact"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/publication/", views.mark_publication, name="publication"),
    path("<int:pk>/files/<str:which>/", views.download, name="download"),
]
