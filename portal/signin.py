"""Signing a proposer in and keeping the session a proposer's: django-axes counts wrong codes
and wrong passwords alike (per mobile, per address) and locks them out as it does staff; the
session is marked, and the marked session reaches only the proposer pages."""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed

SESSION_KEY = "banli_proposer"
BACKEND = "workflow.auth.Backend"
# A mobile proven for several identities, waiting for the choice of one: which mobile, the
# identities offered, until when (kept in the server's session, never in the form).
CHOICE_KEY = "banli_identity_choice"
CHOICE_SECONDS = 300


def credentials_for(mobile):
    return {"username": f"mobile:{mobile}"}


def locked(request, mobile):
    """Whether this mobile is locked on this address; if so django-axes' middleware answers
    with its lockout page."""
    if AxesProxyHandler.is_locked(request, credentials_for(mobile)):
        request.axes_locked_out = True
        return True
    return False


def failed(request, mobile):
    """A wrong code or password: one failure for django-axes; True once now locked."""
    user_login_failed.send(sender=__name__, credentials=credentials_for(mobile), request=request)
    return locked(request, mobile)


def complete(request, user, mobile):
    """Signed in: the failures counted for this mobile here are forgotten, and the session is
    marked as a proposer's."""
    login(request, user, backend=BACKEND)
    AxesProxyHandler.reset_attempts(
        ip_address=get_client_ip_address(request), username=credentials_for(mobile)["username"]
    )
    request.session[SESSION_KEY] = True
    request.session.pop(CHOICE_KEY, None)


def offer_choice(request, mobile, signers, how):
    """The mobile is proven and is several identities': remember which may be chosen."""
    request.session[CHOICE_KEY] = {
        "mobile": mobile,
        "keys": [s.key for s in signers],
        "how": how,
        "until": time.time() + CHOICE_SECONDS,
    }


def pending_choice(request):
    """The choice offered to this session, while it is fresh; else None."""
    offered = request.session.get(CHOICE_KEY)
    if not offered or offered.get("until", 0) < time.time():
        return None
    return offered


def is_proposer_session(request):
    return bool(request.session.get(SESSION_KEY)) and request.user.is_authenticated
