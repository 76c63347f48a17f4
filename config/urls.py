from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

_SWAGGER_ORIGIN = "/".join(spectacular_settings.SWAGGER_UI_DIST.split("/")[:3])

urlpatterns = [
    # One login for everyone: the admin's own form would skip the second factor.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # The docs page's script is served as a file (the split view); its bundle comes from
        # the Swagger UI distribution's site, allowed for this page only.
        csp_update({d: [_SWAGGER_ORIGIN] for d in ("script-src", "style-src", "img-src")})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    path("reports/", include("reporting.urls")),
    path("letters/", include("letters.urls")),
    path("audits/", include("audits.urls")),
    path("office/", include("office.urls")),
    path("", include("requests_app.urls")),
]
# Uploaded files (scans, letters) are never served from MEDIA_URL, not even with DEBUG on:
# only the access-checked views (case_attachment_download, letters:letter_download) serve them.
