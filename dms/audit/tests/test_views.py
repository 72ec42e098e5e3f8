"""The audit log page, its scoping, and the read-only admin."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dms.audit.models import AuditLog, ImmutableError
from dms.audit.selectors import audit_records_for, change_rows
from dms.audit.services import record
from dms.core.testing.factories import DistributorFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


KNOWN = {"MINE", "OTHER", "CM LOGIN", "SYSTEM JOB"}


def reprs(response):
    """The test's own records on the page (factories and logins add others)."""
    return {r.object_repr for r in response.context["page_obj"]} & KNOWN


@pytest.fixture
def log(channel_manager, distributor, other_distributor, admin_user):
    """A few records: on cm1's distributor, on cm2's, cm1's own action elsewhere, a system one."""
    return {
        "mine": record(action=AuditLog.Action.UPDATE, model="distributors.distributor", object_id=str(distributor.pk),
                       object_repr="MINE", distributor_id=distributor.pk, actor=admin_user,
                       changes={"name": ["旧名", "新名"], "status": ["prospect", "active"]}),
        "other": record(action=AuditLog.Action.UPDATE, model="distributors.distributor",
                        object_id=str(other_distributor.pk), object_repr="OTHER",
                        distributor_id=other_distributor.pk, actor=other_distributor.channel_manager),
        "own_action": record(action=AuditLog.Action.LOGIN, model="accounts.user", object_id=str(channel_manager.pk),
                             object_repr="CM LOGIN", actor=channel_manager, message="logged in from the office"),
        "system": record(action=AuditLog.Action.ACTION, model="core.job", object_repr="SYSTEM JOB",
                         message="nightly run"),
    }


def test_channel_manager_sees_his_distributors_records_and_his_own_actions(client, channel_manager, log,
                                                                          distributor, other_distributor):
    client.force_login(channel_manager)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert reprs(response) == {"MINE", "CM LOGIN"}
    for entry in response.context["page_obj"]:
        assert entry.distributor_id == distributor.pk or entry.actor_id == channel_manager.pk
    # asking for another manager's distributor explicitly shows nothing either
    response = client.get(reverse("audit:list"), {"distributor": other_distributor.pk})
    assert list(response.context["page_obj"]) == []
    response = client.get(reverse("audit:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {row[6] for row in rows[1:]} & KNOWN == {"MINE", "CM LOGIN"}
    assert other_distributor.pk not in {row[7] for row in rows[1:]}


def test_admin_sees_everything_and_filters(client, admin_user, log, distributor):
    client.force_login(admin_user)
    url = reverse("audit:list")
    everything = reprs(client.get(url))
    assert {"MINE", "OTHER", "CM LOGIN", "SYSTEM JOB"} <= everything
    assert reprs(client.get(url, {"action": "login"})) == {"CM LOGIN"}
    assert reprs(client.get(url, {"search": "nightly"})) == {"SYSTEM JOB"}
    assert reprs(client.get(url, {"search": "cm1"})) == {"CM LOGIN"}  # by user name
    assert reprs(client.get(url, {"user": "CM1"})) == {"CM LOGIN"}
    assert "MINE" in reprs(client.get(url, {"distributor": distributor.pk}))
    assert "OTHER" not in reprs(client.get(url, {"distributor": distributor.pk}))
    assert reprs(client.get(url, {"model": "accounts.user", "action": "login"})) == {"CM LOGIN"}
    today = timezone.localdate()
    assert "MINE" in reprs(client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert reprs(client.get(url, {"date_from": (today + dt.timedelta(days=1)).isoformat()})) == set()


def test_changes_are_shown_readably(client, admin_user, log):
    rows = change_rows(log["mine"])
    assert {"field": "name", "before": "旧名", "after": "新名"} in rows
    assert {"field": "status", "before": "Prospect", "after": "Active"} in rows  # choice labels
    client.force_login(admin_user)
    html = client.get(reverse("audit:list"), {"search": "MINE"}).content.decode()
    assert "<del>旧名</del> → <ins>新名</ins>" in html
    assert reverse("distributors:detail", args=[log["mine"].distributor_id]) in html


def test_related_objects_are_named_within_the_users_scope(client, channel_manager, distributor, other_distributor):
    record(action=AuditLog.Action.UPDATE, model="distributors.qualification", object_id="1", object_repr="QUAL",
           distributor_id=distributor.pk,
           changes={"verified_by_id": [None, channel_manager.pk], "distributor_id": [other_distributor.pk,
                                                                                     distributor.pk]})
    client.force_login(channel_manager)
    [entry] = client.get(reverse("audit:list"), {"search": "QUAL"}).context["page_obj"]
    rows = {row["field"]: row for row in entry.rows}
    assert rows["verified by"]["after"] == "cm1"  # the user's name, not "#<id>"
    assert rows["distributor"]["after"] == str(distributor)
    # another manager's distributor stays a bare id for this channel manager
    assert rows["distributor"]["before"] == f"#{other_distributor.pk}"


def test_selector_scopes_by_user(channel_manager, make_staff, log):
    assert set(audit_records_for(channel_manager).values_list("object_repr", flat=True)) & KNOWN == {
        "MINE", "CM LOGIN"}
    # a channel manager without distributors sees only his own actions
    lonely = make_staff("channel_manager")
    record(action=AuditLog.Action.LOGIN, model="accounts.user", object_repr="LONELY", actor=lonely)
    assert set(audit_records_for(lonely).values_list("object_repr", flat=True)) == {"LONELY"}
    # brand-wide roles see all
    assert audit_records_for(make_staff("finance")).count() == AuditLog.objects.count()


def test_who_may_open_the_audit_log(client, make_staff, dist_admin, log):
    client.force_login(make_staff("warehouse"))
    assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(dist_admin)
    assert client.get(reverse("audit:list")).status_code == 404


def test_distributor_changes_made_through_pages_reach_the_log(client, channel_manager, distributor):
    d = DistributorFactory(channel_manager=channel_manager)
    client.force_login(channel_manager)
    client.post(reverse("distributors:contract_create", args=[d.pk]),
                {"type": "distribution", "start_date": "2025-01-01", "end_date": "2025-12-31", "number": "HT-AUD"})
    response = client.get(reverse("audit:list"), {"model": "distributors.contract"})
    [entry] = response.context["page_obj"]
    assert entry.object_repr == "HT-AUD" and entry.actor == channel_manager and entry.distributor_id == d.pk


def test_audit_rows_cannot_be_updated_or_deleted(log):
    row = AuditLog.objects.get(pk=log["mine"].pk)
    row.message = "tampered"
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    with pytest.raises(ImmutableError):
        AuditLog.objects.filter(pk=row.pk).update(message="x")
    with pytest.raises(ImmutableError):
        AuditLog.objects.filter(pk=row.pk).delete()
    assert AuditLog.objects.get(pk=row.pk).message == ""


def test_admin_is_read_only(client, make_staff, log):
    superuser = make_staff("admin", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    entry = log["mine"]
    changelist = reverse("admin:audit_auditlog_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:audit_auditlog_change", args=[entry.pk])).status_code == 200  # view only
    assert client.get(reverse("admin:audit_auditlog_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditlog_change", args=[entry.pk]),
                       {"message": "tampered"}).status_code == 403
    assert client.post(reverse("admin:audit_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert response.status_code in (200, 302)
    assert AuditLog.objects.filter(pk=entry.pk, message="").exists()
