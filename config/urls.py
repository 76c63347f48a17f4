from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.api_errors import api_not_found

urlpatterns = [
    # One login for everyone: the admin's own form would skip the second factor.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files (drf-spectacular-sidecar), its script a file of its own.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),  # an unknown API route answers JSON, not the HTML page
    path("reports/", include("reporting.urls")),
    path("letters/", include("letters.urls")),
    path("audits/", include("audits.urls")),
    path("office/", include("office.urls")),
    path("documents/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("portal/", include("portal.urls")),
    path("season/", include("season.urls")),
    path("", include("letters.approval_urls")),  # /approvals/ (issue 12: moved to letters)
    path("", include("requests_app.urls")),
]
# Uploaded files (scans, letters) are never served from MEDIA_URL, not even with DEBUG on:
# only the access-checked views (case_attachment_download, letters:letter_download) serve them.
handler500 = "common.api_errors.server_error"  # JSON under /api/
handler403 = "security.views.permission_denied"  # Django's page, the refusal in the security log
