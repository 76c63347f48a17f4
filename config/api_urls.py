"""REST API under /api/v1/: each app contributes its own api_urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("requests_app.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("letters.api_urls")),
    path("", include("audits.api_urls")),
    path("", include("accounts.api_urls")),
]
