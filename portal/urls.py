from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("filed/", views.filed, name="filed"),
    path("track/", views.track, name="track"),
    path("track/status/", views.status, name="status"),
    path("track/supplement/", views.supplement, name="supplement"),
    path("track/letters/<uuid:public_id>/", views.letter_download, name="letter_download"),
    path("track/documents/<int:pk>/", views.document_download, name="document_download"),
    path("track/end/", views.track_end, name="track_end"),
    path("pending/", views.pending, name="pending"),
    path("pending/<int:pk>/confirm/", views.confirm, name="confirm"),
]
