from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from dms.audit.models import AuditLog
from dms.audit.services import record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record(action=AuditLog.Action.LOGIN, model="accounts.user", object_id=str(user.pk), object_repr=user.username,
           distributor_id=user.distributor_id, actor=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    record(action=AuditLog.Action.LOGIN_FAILED, model="accounts.user",
           object_repr=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    record(action=AuditLog.Action.ACTION, model="accounts.user", object_repr=str(username or "")[:150],
           message=f"locked out from {ip_address}")
