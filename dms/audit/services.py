from dms.core.context import current_actor, current_ip

from .models import AuditLog


def record(*, action, instance=None, model="", object_id="", object_repr="", distributor_id=None, changes=None,
           message="", actor=None):
    entry = build(action=action, instance=instance, model=model, object_id=object_id, object_repr=object_repr,
                  distributor_id=distributor_id, changes=changes, message=message, actor=actor)
    entry.save()
    return entry


def build(*, action, instance=None, model="", object_id="", object_repr="", distributor_id=None, changes=None,
          message="", actor=None) -> AuditLog:
    """The audit record, unsaved (``record`` saves it; the order path inserts it with others)."""
    actor = actor or current_actor()
    if instance is not None:
        model = instance._meta.label_lower
        object_id = str(instance.pk)
        object_repr = str(instance)[:200]
        if distributor_id is None:
            distributor_id = getattr(instance, "audit_distributor_id", None)
    return AuditLog(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        ip=current_ip(),
        action=action,
        model=model,
        object_id=object_id,
        object_repr=object_repr,
        distributor_id=distributor_id,
        changes=changes or {},
        message=str(message)[:255],
    )
