"""Signed proposer links: one per proposer and reply, expiring, tamper-evident, and good for
the reply's round only (a second rating of the same reply is refused by the database)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "banli.feedback-link"


class LinkProblem(Exception):
    """Why a link cannot be used, in words for the proposer."""


def feedback_token(reply, proposer):
    return signing.dumps({"r": reply.pk, "p": proposer.pk, "n": reply.round}, salt=SALT)


def feedback_url(reply, proposer):
    return reverse("proposer-feedback", args=[feedback_token(reply, proposer)])


def read_token(token):
    """(reply id, proposer id, round) from a link, or LinkProblem saying what is wrong."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.FEEDBACK_LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except signing.BadSignature as exc:
        raise LinkProblem("invalid") from exc
    return data["r"], data["p"], data["n"]
