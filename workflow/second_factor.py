"""The second factor: a TOTP authenticator app, with single-use recovery codes for the day the
phone is lost. Enrolling, new recovery codes, checking a code at sign-in, and the demo's
devices. Who must have one is `roles.must_use_second_factor`; the pages and the middleware
that ask for it are in config/accounts.py.

The verbs live here, not in workflow/actions/, because they act on accounts rather than on
items; each is one transaction that locks the user's row first (two tabs enrolling at once leave
one authenticator, not two)."""

import logging
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from proposals.models import User

from .audit import lock

log = logging.getLogger("banli.security")

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def new_key():
    """A fresh TOTP secret (20 random bytes, hex, as django-otp stores it)."""
    return random_hex(20)


def secret_text(key):
    """The secret as an authenticator app asks for it when typed in: base32, in fours."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_url(user, key):
    """The otpauth:// address a QR code carries (issuer Banli, label the username)."""
    return TOTPDevice(user=user, key=key).config_url


def _matching_step(key, code, at=None):
    """(time step, drift) of the code `code`: this step's, the one before or the one after (a
    phone's clock may be off by a few seconds); None for a wrong code."""
    code = "".join(str(code).split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(unhexlify(key))
    totp.time = time.time() if at is None else at
    if totp.verify(int(code), tolerance=1):
        return totp.t(), totp.drift
    return None


def has_device(user):
    """Whether the user has a confirmed authenticator: known already for the signed-in user
    (workflow.auth.Backend loads it with the user), one query otherwise."""
    known = getattr(user, "has_second_factor", None)
    if known is not None:
        return known
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def enrol(user, key, code):
    """Confirm a new authenticator with a code it shows: it replaces any earlier one, and the
    recovery codes are issued anew. Returns (device, codes), or (None, []) for a wrong code."""
    matched = _matching_step(key, code)
    if matched is None:
        return None, []
    step, drift = matched
    lock(User, user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    # last_t: the code just typed cannot be typed again to sign in.
    device = TOTPDevice.objects.create(
        user=user, key=key, name=AUTHENTICATOR, confirmed=True, last_t=step, drift=drift
    )
    codes = _issue_recovery_codes(user)
    log.info("second factor enrolled: user %s", user.pk)
    return device, codes


@transaction.atomic
def new_recovery_codes(user):
    """Ten new recovery codes; the old ones stop working at once."""
    lock(User, user.pk)
    codes = _issue_recovery_codes(user)
    log.info("recovery codes issued anew: user %s", user.pk)
    return codes


@transaction.atomic
def remove(user):
    """Turn the second factor off: the authenticator and the recovery codes are deleted. Whether
    the user may is roles.must_use_second_factor's to say, asked by the page."""
    lock(User, user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("second factor removed: user %s", user.pk)


def _issue_recovery_codes(user):
    device = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(
        user=user, name=RECOVERY, confirmed=True
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass
class Check:
    device: object = None  # the device that accepted the code
    locked_until: datetime | None = None  # too many wrong codes: no check until then

    @property
    def used_recovery_code(self):
        return isinstance(self.device, StaticDevice)


def check(user, code):
    """Check a code typed at sign-in: six digits go to the authenticator, anything else to the
    recovery codes (each works once). A wrong code makes the device wait 1, 2, 4, 8 … seconds
    before it checks again (django-otp's throttling, kept in the database: signing in again
    does not reset it)."""
    code = "".join(str(code).split()).replace("-", "").lower()
    if not code or len(code) > 16:
        return Check()
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in model.objects.filter(user=user, confirmed=True).select_for_update():
            allowed, why = device.verify_is_allowed()
            if not allowed:
                return Check(locked_until=(why or {}).get("locked_until"))
            if device.verify_token(code):
                log.info("second factor passed: user %s (%s)", user.pk, device.name)
                return Check(device)
    log.warning("wrong second factor code: user %s", user.pk)
    return Check()


@transaction.atomic
def demo_device(user):
    """The demo's authenticator and recovery codes for `user`: made once, then the same on
    every later run (the newcomer has already scanned it). Returns (device, codes left)."""
    lock(User, user.pk)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
    codes = list(
        StaticToken.objects.filter(device__user=user, device__confirmed=True)
        .order_by("pk")
        .values_list("token", flat=True)
    )
    if not codes:
        codes = _issue_recovery_codes(user)
    return device, codes
