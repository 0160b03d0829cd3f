"""A person's token for the REST API."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from workflow.audit import log


@transaction.atomic
def rotate_api_token(user):
    """A new API token for the user; the old one, if any, stops working."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    log(user, "rotate_api_token", user, "", "", comment=_("更换API令牌"))
    return token


def token_expires_at(token):
    """When a token stops working (API_TOKEN_DAYS after it was issued): a token leaked in a
    script or a log does not work for ever."""
    return token.created + timedelta(days=settings.API_TOKEN_DAYS)
