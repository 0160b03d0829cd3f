"""Signed-in sessions as 等保 level 3 expects: they end after a spell of inactivity, and a
session whose user has (or must have) a second factor reaches nothing before it is passed.

API calls with a token (scripts) are not sessions and are not asked for a second factor; the
token itself is issued only on a page behind it."""

import time
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.signin import SESSION_KEY as PROPOSER_SESSION
from workflow import second_factor

LAST_SEEN = "banli_last_seen"
IDLE_ENDED = "banli_idle_ended"  # in the signed-out session: it ended for idleness


def _is_api(request):
    return request.path_info.startswith("/api/")


def _swaps_part_of_the_page(request):
    """An htmx request that swaps a part of the page (the letter's autosave, a filter), not a
    boosted link that loads a whole page."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def _ended_notice(request):
    """The answer to an autosave (or any partial request) after the session ended: a message
    in the page's message area and nothing else swapped, so what the clerk typed stays."""
    response = render(
        request,
        "_refusal.html",
        {"message": _("会话因长时间未操作已结束：您输入的内容仍在本页，请在新窗口登录后再保存。")},
    )
    response["HX-Retarget"], response["HX-Reswap"] = "#flash", "innerHTML"
    return response


def _go(request, url):
    """A redirect that htmx follows as a whole page, not into the element it swaps."""
    if request.headers.get("HX-Request") == "true":  # before django-htmx's middleware has run
        return HttpResponse(status=200, headers={"HX-Redirect": url})
    return redirect(url)


class IdleTimeoutMiddleware:
    """Sign out a session that made no request for SESSION_IDLE_MINUTES.

    The time of the last request is kept in the session at a resolution of a minute (or less
    for short limits), so the session is written at most once a minute, not on every request;
    a session may therefore end up to that much early."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.SESSION_IDLE_MINUTES * 60
        self.resolution = max(1, min(60, self.idle // 30))

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            last = session.get(LAST_SEEN)
            if last is not None and now - last > self.idle:
                was_proposer = session.get(PROPOSER_SESSION)
                logout(request)
                session[IDLE_ENDED] = True
                messages.warning(
                    request,
                    _("您已连续 %(minutes)d 分钟未操作，为保护账号安全已自动退出，请重新登录。")
                    % {"minutes": settings.SESSION_IDLE_MINUTES},
                )
                if _is_api(request) or request.path_info == reverse("login"):
                    return self.get_response(request)  # answered as for anyone signed out
                if _swaps_part_of_the_page(request):
                    return _ended_notice(request)
                if was_proposer:  # back through the proposers' own door
                    return _go(request, reverse("portal-signin"))
                # Back to the page after signing in again; a form sent is not sent again.
                if request.method == "GET":
                    return _go(request, redirect_to_login(request.get_full_path()).url)
                return _go(request, reverse("login"))
            elif last is None or now - last >= self.resolution:
                session[LAST_SEEN] = now
        elif (
            session.get(IDLE_ENDED)
            and request.method not in ("GET", "HEAD")
            and _swaps_part_of_the_page(request)
            and not _is_api(request)
            and request.path_info != reverse("login")
        ):
            # The next autosaves of the page left open: the same notice, not the login page
            # swapped into the editor. (A GET is answered as for anyone signed out.)
            return _ended_notice(request)
        return self.get_response(request)


class SecondFactorMiddleware:
    """After the password: a user with an authenticator is asked for a code, and a user who
    must have one (roles.must_use_second_factor) but has none is sent to enrol. Until then
    the session reaches only those pages, signing out and the language switch: not the app,
    not /admin/, not the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def open_paths(self):
        return {
            reverse(name)
            for name in ("login", "logout", "set_language", "two-factor-verify", "two-factor")
        }

    def __call__(self, request):
        if (
            request.path_info not in self.open_paths
            and not request.path_info.startswith(settings.STATIC_URL)
            and request.user.is_authenticated
            and request.roles.second_factor_pending
        ):
            if second_factor.has_device(request.user):
                where = reverse("two-factor-verify")
            else:
                where = reverse("two-factor")
            if _is_api(request):
                return JsonResponse({"detail": _("请先在网页上完成两步验证。")}, status=403)
            return _go(request, f"{where}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
