"""A proposer's session reaches the proposer pages and nothing of the staff's: every other
page of the app (and the API) answers with the proposer's home, or 403 for the API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import signin

# What a proposer's session may reach besides /me/: the language switch, the public site,
# the emailed feedback link, the letter check, static files, the proposers' own API
# (/api/me/, which refuses staff), the API's routes for anyone (published replies, the
# signed link's feedback) and its documentation, which everyone may read and the proposer's
# settings page links to. Every other API route (the staff's) refuses proposers.
OPEN_PREFIXES = (
    "/me/",
    "/i18n/",
    "/public/",
    "/feedback/",
    "/verify/",
    "/healthz",
    "/api/me/",
    "/api/public/",
    "/api/feedback/",
    "/api/docs/",
    "/api/schema/",
)


class ProposerOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            signin.is_proposer_session(request)
            and not path.startswith(OPEN_PREFIXES)
            and not path.startswith(settings.STATIC_URL)
        ):
            if path.startswith("/api/"):
                return JsonResponse({"detail": _("提出人账号不能使用此接口。")}, status=403)
            return redirect("portal-home")
        return self.get_response(request)
