import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel

from .roles import DISTRIBUTOR_ROLES, STAFF_ROLES, Role


class User(AuditedModel, AbstractUser):
    """A brand staff member (no distributor) or a distributor user (exactly one distributor)."""

    AUDIT_EXCLUDE = {"password", "last_login"}

    distributor = models.ForeignKey(
        "distributors.Distributor",
        verbose_name=_("distributor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_portal_users", _("Can manage distributor portal users"))]

    def get_full_name(self) -> str:
        """Chinese names read family name first, without a space ("张伟")."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @cached_property
    def role_names(self) -> set[str]:
        return set(self.groups.values_list("name", flat=True))

    @property
    def is_brand_staff(self) -> bool:
        return self.distributor_id is None and (self.is_superuser or bool(self.role_names & STAFF_ROLES))

    def has_role(self, *roles) -> bool:
        return bool(self.role_names & set(roles)) or (self.is_superuser and Role.ADMIN in roles)

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.role_names

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in sorted(self.role_names) if r in Role.values]

    @property
    def distributor_role(self):
        roles = self.role_names & DISTRIBUTOR_ROLES
        return next(iter(roles), None)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, key: str):
        return self.select_related("user", "user__distributor").filter(key_hash=_hash(key)).first()


class ApiToken(models.Model):
    """A Bearer token for the API. Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user) -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=_hash(key), prefix=key[:8])
        return key
