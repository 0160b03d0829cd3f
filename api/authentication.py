"""Token authentication whose tokens run out: a token leaked in a script or a log stops
working after API_TOKEN_DAYS, and its owner issues a new one on the token page."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from responses.actions.api_tokens import token_expires_at as expires_at


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("API令牌已过期，请在“API令牌”页面更换。"))
        return user, token
