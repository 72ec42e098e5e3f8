"""API shapes for sign-in, the current user and portal users (I/O only: no writes here)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import User
from .roles import Role


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable error code, e.g. invalid_transition."))
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per input field (validation errors only)."),
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API: {"error": {"code", "message", "fields"}}."""

    error = ErrorBodySerializer()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=16, required=False, allow_blank=True,
        help_text=_("The current two-factor code; required for users who turned two-factor login on."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as “Authorization: Bearer <token>”."))


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    distributor = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "roles", "distributor"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.role_names)


class PortalUserSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "role", "is_active", "last_login", "date_joined"]

    def get_role(self, user) -> str | None:
        return user.distributor_role


class PortalUserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=256, required=False, allow_blank=True, write_only=True, trim_whitespace=False,
        help_text=_("Leave empty to let the user choose one through a password link."),
    )
    role = serializers.ChoiceField(choices=[Role.DISTRIBUTOR_ADMIN.value, Role.DISTRIBUTOR_STAFF.value])
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
