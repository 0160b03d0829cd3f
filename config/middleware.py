from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
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


class RequestSizeMiddleware:
    """Refuse a request body larger than MAX_REQUEST_BYTES from its declared length, before
    anything (the CSRF check, the NUL check) reads it: the per-upload limits are checked only
    after a body is received, and receiving a gigabyte ties up a web worker for nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(content_type="text/plain; charset=utf-8")
        if length > settings.MAX_REQUEST_BYTES:
            return HttpResponse(
                _("提交的内容超过%(mb)dMB，已拒绝。请拆分后分批上传。")
                % {"mb": settings.MAX_REQUEST_BYTES // (1024 * 1024)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
