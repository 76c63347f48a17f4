from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/rotate/", views.TokenRotateApi.as_view(), name="api-token-rotate"),
]
