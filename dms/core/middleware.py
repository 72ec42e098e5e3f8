from django.conf import settings

from dms.core.context import acting_as
from dms.core.scoping import user_scope


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT proxies in front, the address
    the outermost trusted proxy saw (counted from the right of X-Forwarded-For)."""
    if settings.PROXY_COUNT:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.PROXY_COUNT:
            return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the acting user and client IP available to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, client_ip(request)):
            return self.get_response(request)


class TenantScopeMiddleware:
    """Activates the user's distributor scope for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with user_scope(request.user):
            return self.get_response(request)
