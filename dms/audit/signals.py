from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .mixins import AuditedModel
from .models import AuditLog
from .services import record


@receiver(post_save)
def audit_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    after = instance.audit_snapshot()
    if created:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
        action = AuditLog.Action.CREATE
    else:
        before = getattr(instance, "_audit_loaded", {})
        changes = {k: [before.get(k), v] for k, v in after.items() if k in before and before.get(k) != v}
        if not changes:
            return
        action = AuditLog.Action.TRANSITION if "status" in changes else AuditLog.Action.UPDATE
    record(action=action, instance=instance, changes=changes)
    instance._audit_loaded = after


@receiver(post_delete)
def audit_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        record(action=AuditLog.Action.DELETE, instance=instance, changes={
            k: [v, None] for k, v in instance.audit_snapshot().items() if v not in (None, "")
        })
