from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions

from .backends import account_usable


def user_from_bearer(key: str):
    from .models import ApiToken

    token = ApiToken.objects.authenticate(key) if key else None
    if token is None or not account_usable(token.user):
        return AnonymousUser()
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Uses the user the BearerTokenMiddleware resolved; rejects a bad token with 401."""

    def authenticate(self, request):
        django_request = request._request
        if getattr(django_request, "bearer_key", None) is None:
            return None
        user = django_request.user
        if not user.is_authenticated:
            raise exceptions.AuthenticationFailed(code="invalid_token")
        return (user, None)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    pass
