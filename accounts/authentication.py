"""API tokens that expire: a token older than settings.API_TOKEN_TTL is refused; the holder
rotates it (POST /api/v1/auth/token/rotate/) before then, or logs in and rotates."""

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

MSG_TOKEN_EXPIRED = "API 令牌已过期，请重新登录后换发令牌"


def token_expires_at(token):
    return token.created + settings.API_TOKEN_TTL


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(MSG_TOKEN_EXPIRED)
        return user, token
