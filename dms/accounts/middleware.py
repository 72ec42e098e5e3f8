from django.utils.functional import SimpleLazyObject

from .authentication import user_from_bearer


class BearerTokenMiddleware:
    """Authenticates ``Authorization: Bearer <token>`` before the tenant scope is chosen,
    so the API, pages and downloads share one notion of who is asking."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() == "bearer ":
            request.bearer_key = header[7:].strip()
            request.user = SimpleLazyObject(lambda: user_from_bearer(request.bearer_key))
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)
