from django.db import models


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return str(value)


class AuditedModel(models.Model):
    """A model whose every insert, update and delete is written to the audit log
    (see ``dms.audit.signals``), with the fields before and after.

    The values as loaded are remembered in ``from_db`` so that no extra query is needed to
    know what changed.
    """

    AUDIT_EXCLUDE = {"updated_at"}

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = instance.audit_snapshot()
        return instance

    def audit_snapshot(self) -> dict:
        return {
            f.attname: _plain(getattr(self, f.attname))
            for f in self._meta.concrete_fields
            if f.attname not in self.AUDIT_EXCLUDE and f.attname in self.__dict__
        }

    @property
    def audit_distributor_id(self):
        return getattr(self, "distributor_id", None)
