"""Sign-in over the API (Bearer tokens), the current user, and the access rules every
API view shares.

Access is decided in two layers, failing closed:

1. the tenant scope (set by the middleware) limits which rows exist for the caller, so
   another distributor's object is a 404 before anything else is checked;
2. ``ActionAccessMixin`` then asks, per viewset action, whether the caller may do it:
   brand staff need the action's Django permission, distributor users may only do the
   actions the viewset lists in ``portal_actions``. An action in neither table is refused.
"""

from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from dms.core.api import error_response

from . import services
from .serializers import ErrorSerializer, MeSerializer, TokenRequestSerializer, TokenSerializer
from .views import lockout_response


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "dms.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token/ returns the token."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "dms.accounts.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


# --- access rules ---------------------------------------------------------------------


class ApiUser(permissions.BasePermission):
    """Brand staff (with a staff role) and distributor users; nobody else."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.distributor_id or user.is_brand_staff))


_MISSING = object()


class ActionAccessMixin:
    """Per-action access for brand staff and distributor users (see the module docstring).

    ``staff_perms`` maps an action to the permission brand staff need (None: any staff).
    ``portal_actions`` names the actions a distributor user may do within his scope.
    Collection actions are checked before they run; object actions right after the
    object (or nested parent) was found, so an object outside the caller's scope is a 404
    and never a 403.
    """

    permission_classes = [ApiUser]
    staff_perms: dict[str, str | None] = {}
    portal_actions: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        self._access_checked = False
        super().initial(request, *args, **kwargs)
        self.load_parent()
        if not self.detail:
            self.check_action_access()

    def load_parent(self):
        """Nested viewsets look their parent up here (scoped, so 404 when out of scope)."""

    def check_action_access(self):
        user, action = self.request.user, self.action
        self._access_checked = True
        if user.distributor_id:
            if action not in self.portal_actions:
                raise PermissionDenied()
            return
        perm = self.staff_perms.get(action, _MISSING)
        if perm is _MISSING or (perm and not user.has_perm(perm)):
            raise PermissionDenied()

    def get_object(self):
        obj = super().get_object()
        self.check_action_access()
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        if (
            response.status_code < 400
            and request.method != "OPTIONS"
            and not getattr(self, "_access_checked", True)
        ):
            raise ImproperlyConfigured(f"{type(self).__name__}.{self.action} answered without an access check.")
        return super().finalize_response(request, response, *args, **kwargs)


# --- sign-in --------------------------------------------------------------------------


class TokenThrottle(AnonRateThrottle):
    """Sign-in attempts per client address, across user names (axes counts per user)."""

    scope = "auth_token"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope) or "60/min"


class TokenApi(APIView):
    """Exchange a user name and password for a Bearer token.

    Failed attempts count towards the lock-out per user and client address (django-axes):
    after too many, this user is refused from that address for a while (429 locked_out)
    while he can still sign in from elsewhere.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request
        user = authenticate(request=django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request, None)
            return error_response("invalid_credentials", _("The user name or password is wrong."),
                                  status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": 'Bearer realm="api"'})
        if user_has_device(user, confirmed=True):
            code = (data.get("otp") or "").strip()
            if not code or not any(d.verify_token(code) for d in TOTPDevice.objects.filter(user=user, confirmed=True)):
                return error_response("otp_required", _("Give the current code of your two-factor app."),
                                      status.HTTP_401_UNAUTHORIZED,
                                      headers={"WWW-Authenticate": 'Bearer realm="api"'})
        # What login() does minus the session: resets the failure count, records the login.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response({"token": services.issue_token(user=user)})


class LogoutApi(APIView):
    """Revoke the Bearer token this request presents."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        services.revoke_token(user=request.user, key=getattr(request._request, "bearer_key", None))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """Who is asking: roles and, for a distributor user, his distributor's id."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(request.user).data)
