from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.OgiLoginView.as_view(), name="login"),
    path("otp/", views.otp_setup, name="otp_setup"),
]
