from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("reports/", include("reporting.urls")),
    path("letters/", include("letters.urls")),
    path("audits/", include("audits.urls")),
    path("", include("requests_app.urls")),
]
# Uploaded files (scans, letters) are never served from MEDIA_URL, not even with DEBUG on:
# only the access-checked views (case_attachment_download, letters:letter_download) serve them.
