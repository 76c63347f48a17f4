import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from accounts.otp import second_factor_required, totp_device_confirmed


class ChineseByDefaultLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language (the cookie set by /i18n/setlang/).

    The browser's Accept-Language is ignored: these offices work in Chinese, whatever language
    the operating system of a workstation happens to be installed in."""

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class SessionIdleTimeoutMiddleware:
    """Ends a logged-in session after settings.SESSION_IDLE_TIMEOUT seconds without a request
    (SESSION_COOKIE_AGE bounds its whole life). The last request's time is kept in the session,
    written at most once a minute."""

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.headers.get("HX-Request"):  # a partial would land inside the page
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = redirect_to_login(request.path).url
                    return response
            elif last is None or now - last >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """With settings.OTP_REQUIRED_FOR_ROLES, users in those roles must enrol a TOTP device
    before anything else; a session that did not pass the code is ended."""

    ALLOWED = ("/accounts/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.OTP_REQUIRED_FOR_ROLES
            and request.user.is_authenticated
            and not request.user.is_verified()
            and not request.path.startswith(self.ALLOWED)
            and second_factor_required(request.user)
        ):
            if totp_device_confirmed(request.user) is not None:
                logout(request)
                return redirect_to_login(request.get_full_path())
            return redirect("otp_setup")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing a logged-in user is shown, and no API answer, is kept by a browser or a proxy
    cache: case pages, worklists, letters and attachments carry personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response
