import datetime as dt

import pytest

from dms.core.errors import InvalidTransition, ValidationFailed
from dms.crm import selectors, services
from dms.crm.models import Customer, CustomerNeed, normalise_name, normalise_phone
from dms.crm.services import DuplicateCustomer
from dms.notifications.models import Notification

from .factories import customer, follow_up

pytestmark = pytest.mark.django_db


def test_normalisation():
    assert normalise_name(" 华强 便利店（福田） ") == normalise_name("华强便利店(福田)")
    assert normalise_name("ABC Store") == normalise_name("abc-store")
    assert normalise_phone("+86 138-0013-8000") == normalise_phone("13800138000") == "13800138000"


def test_create_with_contacts_tags_and_owner(distributor, dist_admin):
    c = customer(distributor, actor=dist_admin, tags=["KA", "社区店", "ka"], region_code="440304")
    assert c.owner == dist_admin and c.created_by == dist_admin
    assert sorted(t.name for t in c.tags.all()) == ["KA", "社区店"]
    assert c.contacts.get().is_primary
    assert c.region_name.startswith("广东省")


def test_duplicate_name_or_phone_is_refused_unless_confirmed(distributor):
    first = customer(distributor, name="华强便利店")
    with pytest.raises(DuplicateCustomer) as exc:
        customer(distributor, name="华强 便利店", phone="")
    assert exc.value.extra["duplicates"][0]["id"] == first.pk
    assert exc.value.extra["duplicates"][0]["url"].endswith(f"/{first.pk}/")
    with pytest.raises(DuplicateCustomer):
        customer(distributor, name="另一家店", phone="+86 138 0013 8000")
    assert Customer.objects.count() == 1
    customer(distributor, name="华强便利店", phone="", allow_duplicate=True)
    assert Customer.objects.count() == 2


def test_duplicates_are_never_found_across_distributors(distributor, other_distributor):
    customer(distributor, name="华强便利店")
    customer(other_distributor, name="华强便利店")  # no error
    assert services.find_duplicates(distributor_id=other_distributor.pk, name="华强便利店",
                                    phones=["13800138000"])[0].distributor == other_distributor


def test_update_checks_duplicates_and_status_transitions(distributor):
    a = customer(distributor, name="甲店", phone="13800000001")
    b = customer(distributor, name="乙店", phone="13800000002")
    with pytest.raises(DuplicateCustomer):
        services.update_customer(customer_id=b.pk, name="甲店")
    services.update_customer(customer_id=b.pk, status="active", contacts=[{"name": "王", "phone": "13900000000"}])
    b.refresh_from_db()
    assert b.name == "乙店" and b.status == "active" and b.contacts.get().phone == "13900000000"
    services.update_customer(customer_id=b.pk, status="lost")
    with pytest.raises(InvalidTransition):
        services.update_customer(customer_id=b.pk, status="dormant")
    assert a.contacts.count() == 1


def test_invalid_input_changes_nothing(distributor, other_dist_admin):
    with pytest.raises(ValidationFailed) as exc:
        customer(distributor, name="", phone="123")
    assert "contacts.0" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        customer(distributor, name="店", region_code="999999")
    assert "region_code" in exc.value.fields
    with pytest.raises(ValidationFailed):
        customer(distributor, name="店", owner=other_dist_admin)
    assert Customer.objects.count() == 0


def test_follow_up_sets_last_contact_and_next_date(distributor, dist_admin):
    c = customer(distributor)
    follow_up(c, actor=dist_admin, days_ago=3, next_in=4, channel="order")
    c.refresh_from_db()
    today = dt.date.today()
    assert c.last_contact_date == today - dt.timedelta(days=3)
    assert c.next_follow_up_date == today + dt.timedelta(days=4)
    assert c.last_order_date == today - dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as exc:
        follow_up(c, days_ago=-2)
    assert "date" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        follow_up(c, days_ago=1, next_in=-5)
    assert "next_date" in exc.value.fields
    assert c.follow_ups.count() == 1


def test_need_transitions(distributor, dist_admin):
    c = customer(distributor)
    need = services.add_need(customer_id=c.pk, actor=dist_admin, need="需要小包装", category="product",
                             priority="high")
    services.set_need_status(need_id=need.pk, actor=dist_admin, status="met")
    need.refresh_from_db()
    assert need.status == CustomerNeed.Status.MET and need.closed_at
    services.set_need_status(need_id=need.pk, actor=dist_admin, status="met")  # retry: no-op
    with pytest.raises(InvalidTransition):
        services.set_need_status(need_id=need.pk, actor=dist_admin, status="dropped")
    with pytest.raises(ValidationFailed):
        services.add_need(customer_id=c.pk, actor=dist_admin, need="", category="nope", priority="high")


def test_segments_by_activity(distributor):
    today = dt.date.today()
    recent = customer(distributor, name="近期", phone="13800000001")
    follow_up(recent, days_ago=10)
    old = customer(distributor, name="久未联系", phone="13800000002")
    follow_up(old, days_ago=200)
    ordered = customer(distributor, name="近期下单", phone="13800000003", last_order_date=today - dt.timedelta(days=5))
    customer(distributor, name="从未联系", phone="13800000004", type="store")
    qs = Customer.objects.all()
    names = {seg: set(qs.filter(selectors.activity_q(seg, today)).values_list("name", flat=True))
             for seg in ("active", "dormant", "never")}
    assert names == {"active": {"近期", "近期下单"}, "dormant": {"久未联系"}, "never": {"从未联系"}}
    summary = selectors.aggregate(qs, today, by_distributor=True)
    assert summary["total"] == 4
    assert {r["value"]: r["count"] for r in summary["activity"]} == {"active": 2, "dormant": 1, "never": 1}
    assert {r["value"]: r["count"] for r in summary["types"]}["store"] == 1
    assert summary["distributors"][0]["count"] == 4 and summary["distributors"][0]["active"] == 2
    assert ordered.pk


def test_reminder_is_sent_once_to_the_follow_up_owner(distributor, dist_admin):
    from django.test import TestCase

    c = customer(distributor, actor=dist_admin)
    follow_up(c, actor=dist_admin, days_ago=5, next_in=-1, next_step="带样品回访")
    later_plan = customer(distributor, name="下周店", phone="13800000009")
    follow_up(later_plan, actor=dist_admin, next_in=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_follow_up_reminders(dt.date.today()) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_follow_up_reminders(dt.date.today()) == 0
        assert services.send_follow_up_reminders(dt.date.today() + dt.timedelta(days=1)) == 0
    note = Notification.objects.get(user=dist_admin)
    assert c.name in note.title and note.body == "带样品回访" and note.category == "customer"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_follow_up_reminders(dt.date.today() + dt.timedelta(days=3)) == 1
    assert Notification.objects.filter(user=dist_admin).count() == 2


def test_a_later_follow_up_settles_the_earlier_plan(distributor, dist_admin):
    c = customer(distributor, actor=dist_admin)
    follow_up(c, actor=dist_admin, days_ago=5, next_in=-1)
    follow_up(c, actor=dist_admin, days_ago=0)  # done, nothing planned
    assert services.send_follow_up_reminders(dt.date.today()) == 0


def test_daily_job_is_registered():
    from dms.notifications.jobs import JOBS

    assert "crm_follow_up_reminders" in JOBS
