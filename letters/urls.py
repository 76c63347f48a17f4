from django.urls import path

from . import views

app_name = "letters"
urlpatterns = [
    path("cases/<uuid:public_id>/", views.case_letters, name="case_letters"),
    path("cases/<uuid:public_id>/receipt/", views.case_receipt_print, name="case_receipt_print"),
    path("templates/upload/", views.template_upload, name="template_upload"),
    path("letter/<uuid:public_id>/", views.letter_detail, name="letter_detail"),
    path("letter/<uuid:public_id>/approve/", views.letter_approve, name="letter_approve"),
    path("letter/<uuid:public_id>/issue/", views.letter_issue, name="letter_issue"),
    path("letter/<uuid:public_id>/render/", views.letter_render, name="letter_render"),
    path("letter/<uuid:public_id>/delivery/", views.letter_delivery, name="letter_delivery"),
    path("letter/<uuid:public_id>/download/", views.letter_download, name="letter_download"),
    path("letter/<uuid:public_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letter/<uuid:public_id>/envelope/", views.letter_envelope, name="letter_envelope"),
]
