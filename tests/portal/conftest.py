from datetime import timedelta

import pytest
from django.db.models import F

from tests import factories
from workflow.sms import MemoryBackend

MOBILE = "13912345678"
OTHER_MOBILE = "13987654321"


@pytest.fixture(autouse=True)
def texts(settings):
    """The texts sent, kept in memory."""
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


@pytest.fixture
def person(shanghai):
    return factories.proposer(
        "文彬", phone=MOBILE, email="wenbin@example.org", jurisdiction=shanghai
    )


@pytest.fixture
def cosigner(shanghai):
    return factories.proposer("章毅", phone=OTHER_MOBILE, jurisdiction=shanghai)


def last_code(texts, mobile=MOBILE):
    phone, text = [t for t in texts if t[0] == mobile][-1]
    return "".join(ch for ch in text.split("验证码为", 1)[1][:6])


def invitation_token(texts_or_mail):
    text = texts_or_mail[-1][1] if isinstance(texts_or_mail[-1], tuple) else texts_or_mail[-1].body
    return text.rsplit("/me/welcome/", 1)[1].split("/", 1)[0]


def minutes_ago(codes, minutes):
    """Time passes for these sign-in codes (asked for, and expiring, that much earlier)."""
    shift = timedelta(minutes=minutes)
    codes.update(created_at=F("created_at") - shift, expires_at=F("expires_at") - shift)
