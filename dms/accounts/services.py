from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from dms.core.errors import NotAllowed, ValidationFailed

from .models import ApiToken, User
from .roles import DISTRIBUTOR_ROLES, Role


def can_manage_portal_users(actor, distributor_id) -> bool:
    """Staff with the permission (within their scope), or that distributor's own admin."""
    if not actor.has_perm("accounts.manage_portal_users"):
        return False
    if actor.distributor_id:
        return actor.distributor_id == distributor_id and Role.DISTRIBUTOR_ADMIN in actor.role_names
    return True


@transaction.atomic
def create_portal_user(*, distributor_id, username, password, role, email="", first_name="", actor=None) -> User:
    """Create a distributor user. Without a password, he is e-mailed a link to set one."""
    if actor is not None and not can_manage_portal_users(actor, distributor_id):
        raise NotAllowed()
    if role not in DISTRIBUTOR_ROLES:
        raise ValidationFailed(fields={"role": [_("Choose distributor_admin or distributor_staff.")]})
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(fields={"username": [_("Enter a user name.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": [_("This user name is already taken.")]})
    user = User(username=username, email=email or "", first_name=first_name or "", distributor_id=distributor_id)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(fields={"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc
    user.save()
    user.groups.add(Group.objects.get(name=role))
    if not password and user.email:
        # No password given: the user chooses one from an e-mailed link.
        from .tasks import send_password_setup_email

        transaction.on_commit(lambda: send_password_setup_email.delay(user.pk))
    return user


@transaction.atomic
def set_user_active(*, user_id, active: bool, actor=None) -> User:
    """Deactivating a user ends his sessions (checked on every request) and deletes his
    API tokens at once."""
    user = User.objects.select_for_update().get(pk=user_id)
    if actor is not None:
        if user.distributor_id and not can_manage_portal_users(actor, user.distributor_id):
            raise NotAllowed()
        if not user.distributor_id and not actor.is_admin:
            raise NotAllowed()
        if actor.pk == user.pk and not active:
            raise ValidationFailed(message=_("You cannot deactivate yourself."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user).delete()
    return user


def issue_token(*, user) -> str:
    return ApiToken.issue(user)


def revoke_token(*, user, key: str) -> None:
    """Delete the token ``key`` if it is ``user``'s (API logout)."""
    token = ApiToken.objects.authenticate(key) if key else None
    if token is not None and token.user_id == user.pk:
        token.delete()


def start_totp_setup(*, user):
    """A new, unconfirmed TOTP device (replacing an unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def confirm_totp(*, device, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def disable_totp(*, user, password: str) -> bool:
    """Two-factor login off, if ``password`` is the user's."""
    if not user.check_password(password):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True


def send_password_setup(*, user_id):
    """E-mail a one-time link to choose a password (also used for reset)."""
    from django.conf import settings

    user = User.objects.get(pk=user_id)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
    body = render_to_string("accounts/email/password_setup.txt", {"user": user, "link": link})
    send_mail(_("Your distributor portal account"), body, None, [user.email])
