from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
