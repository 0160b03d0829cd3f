from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    """Chinese unless the user picked another language with the switcher (a cookie).

    The browser's Accept-Language is not consulted: the product speaks Chinese first, even
    on an English-configured browser in an agency office."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in a parameter is never legitimate text and PostgreSQL refuses it:
    answer 400 naming the field, before any view builds a query from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for source in [request.GET] + ([request.POST] if request.method == "POST" else []):
            for key, values in source.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return HttpResponseBadRequest(
                        _("参数“%(field)s”含有不允许的字符。") % {"field": key.replace("\x00", "")},
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)
