import pytest

from dms.audit.models import AuditLog, ImmutableError
from dms.core.context import acting_as
from dms.core.testing.factories import make_credit_code
from dms.distributors import services


@pytest.mark.django_db
def test_create_update_transition_and_delete_are_recorded_with_before_and_after(admin_user):
    with acting_as(admin_user, "203.0.113.9"):
        d = services.create_distributor(name="旧名", credit_code=make_credit_code(11), tier=1)
        services.update_distributor(distributor_id=d.pk, name="新名", address="深圳")
        services.submit_distributor(distributor_id=d.pk, actor=admin_user)
        contact = services.add_contact(distributor_id=d.pk, name="A", phone="13800138000")
        services.delete_contact(contact_id=contact.pk)
    rows = list(AuditLog.objects.filter(model="distributors.distributor", object_id=str(d.pk)).order_by("id"))
    created = rows[0]
    assert created.action == "create"  # the first insert is recorded too
    assert created.changes["name"] == [None, "旧名"]
    assert created.actor == admin_user and created.ip == "203.0.113.9"
    assert created.distributor_id == d.pk
    update = next(r for r in rows if r.action == "update")
    assert update.changes == {"name": ["旧名", "新名"], "address": ["", "深圳"]}
    transition = next(r for r in rows if r.action == "transition")
    assert transition.changes["status"] == ["prospect", "pending_review"]
    deleted = AuditLog.objects.get(model="distributors.contact", action="delete")
    assert deleted.changes["phone"] == ["13800138000", None]
    assert deleted.distributor_id == d.pk  # shows on the distributor's timeline


@pytest.mark.django_db
def test_unchanged_save_records_nothing(admin_user):
    d = services.create_distributor(name="X", credit_code=make_credit_code(12), tier=1)
    before = AuditLog.objects.count()
    services.update_distributor(distributor_id=d.pk, name="X")
    assert AuditLog.objects.count() == before


@pytest.mark.django_db
def test_audit_records_are_immutable(admin_user):
    services.create_distributor(name="X", credit_code=make_credit_code(13), tier=1)
    row = AuditLog.objects.first()
    row.message = "tampered"
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    with pytest.raises(ImmutableError):
        AuditLog.objects.all().update(message="x")
    with pytest.raises(ImmutableError):
        AuditLog.objects.all().delete()


@pytest.mark.django_db
def test_logins_and_failures_are_recorded(client, admin_user):
    client.post("/accounts/login/", {"username": "admin1", "password": "wrong"}, REMOTE_ADDR="198.51.100.1")
    client.post("/accounts/login/", {"username": "admin1", "password": "Secret-pass-123"}, REMOTE_ADDR="198.51.100.1")
    actions = list(AuditLog.objects.filter(model="accounts.user").values_list("action", flat=True))
    assert "login_failed" in actions and "login" in actions
