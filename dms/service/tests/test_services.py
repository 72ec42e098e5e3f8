"""Raising, assigning, conversing, the status machine, the SLA clocks and rating."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dms.audit.models import AuditLog
from dms.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, stock
from dms.notifications.models import Notification
from dms.orders import services as orders
from dms.service import services
from dms.service.models import AssignmentRule, Ticket, TicketMessage

from .factories import make_ticket, pdf

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
St = Ticket.Status
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def order_for(distributor):
    product = ProductFactory()
    stock(product, 10)
    return orders.create_order(distributor=distributor, lines=[{"product": product.pk, "quantity": 1}], submit=True)


# --- raising -----------------------------------------------------------------------------


def test_raise_numbers_assigns_to_channel_manager_and_starts_the_clocks(distributor, dist_admin, channel_manager,
                                                                        django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY_10, tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(distributor, dist_admin, priority="high", attachments=[pdf()])
    assert ticket.number == "TK202611230001"
    assert ticket.status == St.OPEN and ticket.assignee == channel_manager
    # high: first response within 4 working hours, resolution within 16
    assert ticket.first_response_due_at == dt.datetime(2026, 11, 23, 14, tzinfo=SH)
    assert ticket.resolution_due_at == dt.datetime(2026, 11, 24, 17, tzinfo=SH)
    assert ticket.attachments.count() == 1
    assert titles(channel_manager) == [f"New ticket {ticket.number} from {distributor.name}"]
    assert AuditLog.objects.filter(model="service.ticket", object_id=str(ticket.pk)).exists()


def test_links_must_belong_to_the_distributor_and_bad_input_changes_nothing(distributor, dist_admin,
                                                                            other_distributor):
    foreign = order_for(other_distributor)
    with pytest.raises(ValidationFailed) as exc:
        make_ticket(distributor, dist_admin, order_id=foreign.pk, subject=" ",
                    attachments=[SimpleUploadedFile("x.pdf", b"not really a pdf")])
    assert set(exc.value.fields) == {"order", "subject", "attachments"}
    assert not Ticket.objects.exists()


def test_product_must_be_on_the_chosen_order(distributor, dist_admin):
    order = order_for(distributor)
    with pytest.raises(ValidationFailed) as exc:
        make_ticket(distributor, dist_admin, order_id=order.pk, product_id=ProductFactory().pk)
    assert "product" in exc.value.fields
    ticket = make_ticket(distributor, dist_admin, order_id=order.pk, product_id=order.lines.get().product_id,
                         batch_number="B20261101")
    assert ticket.order == order and ticket.batch_number == "B20261101"


def test_a_distributor_user_cannot_raise_for_another_distributor(dist_admin, other_distributor):
    with pytest.raises(NotAllowed):
        make_ticket(other_distributor, dist_admin)


def test_first_matching_rule_wins(distributor, dist_admin, make_staff):
    quality_lead, guangdong, ops_a, ops_b = (make_staff("sales_ops") for _ in range(4))
    AssignmentRule.objects.create(position=1, name="off", ticket_type="quality", assignee=ops_a, is_active=False)
    AssignmentRule.objects.create(position=2, name="quality", ticket_type="quality", assignee=quality_lead)
    AssignmentRule.objects.create(position=3, name="guangdong", province="44", assignee=guangdong)
    AssignmentRule.objects.create(position=4, name="ops", role="sales_ops")
    assert make_ticket(distributor, dist_admin, type="quality").assignee == quality_lead
    assert make_ticket(distributor, dist_admin, type="missing").assignee == guangdong  # region 440305
    beijing = DistributorFactory(region_code="110105")
    ticket = services.create_ticket(distributor_id=beijing.pk, type="complaint", subject="s", description="d",
                                    actor=None)
    # the role rule: the member with the fewest active tickets (quality_lead has one, guangdong one)
    assert ticket.assignee in (ops_a, ops_b)


# --- conversation ------------------------------------------------------------------------


def test_staff_reply_is_the_first_response_and_notifies_the_distributor(ticket, channel_manager, dist_admin,
                                                                        dist_staff,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket_id=ticket.pk, body="请提供批号照片", actor=channel_manager)
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None and ticket.first_response_minutes is not None
    for user in (dist_admin, dist_staff):
        assert titles(user) == [f"New reply on ticket {ticket.number}"]


def test_internal_notes_never_reach_distributor_users(ticket, channel_manager, make_staff, dist_admin, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    colleague = make_staff("sales_ops")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket_id=ticket.pk, body="SECRET-NOTE 供应商批次问题", internal=True,
                              actor=colleague)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not an answer
    assert not Notification.objects.filter(user=dist_admin, body__contains="SECRET-NOTE").exists()
    assert not Notification.objects.filter(user=dist_admin).exclude(title__startswith="New ticket").exists()
    assert Notification.objects.filter(user=channel_manager, body__contains="SECRET-NOTE").exists()
    assert all("SECRET-NOTE" not in m.body for m in mailoutbox if dist_admin.email in m.to)


def test_a_distributor_cannot_write_internal_notes(ticket, dist_admin):
    with pytest.raises(NotAllowed):
        services.post_message(ticket_id=ticket.pk, body="x", internal=True, actor=dist_admin)
    assert not ticket.messages.exists()


def test_distributor_reply_on_waiting_moves_it_back_to_in_progress(ticket, channel_manager, dist_admin,
                                                                   django_capture_on_commit_callbacks):
    services.change_status(ticket_id=ticket.pk, status=St.WAITING, actor=channel_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(ticket_id=ticket.pk, body="批号是 B1101", attachments=[pdf()], actor=dist_admin)
    ticket.refresh_from_db()
    assert ticket.status == St.IN_PROGRESS
    assert f"{distributor_name(ticket)} replied on ticket {ticket.number}" in titles(channel_manager)
    assert ticket.messages.filter(kind=TicketMessage.Kind.REPLY).get().attachments.count() == 1


def distributor_name(ticket):
    return ticket.distributor.name


def test_empty_message_is_refused(ticket, channel_manager):
    with pytest.raises(ValidationFailed):
        services.post_message(ticket_id=ticket.pk, body="  ", actor=channel_manager)
    assert not ticket.messages.exists()


# --- statuses ----------------------------------------------------------------------------


def test_the_whole_path_and_its_rules(ticket, channel_manager, dist_admin, django_capture_on_commit_callbacks):
    services.change_status(ticket_id=ticket.pk, status=St.IN_PROGRESS, actor=channel_manager)
    with pytest.raises(InvalidTransition):
        services.change_status(ticket_id=ticket.pk, status=St.CLOSED, actor=channel_manager)
    with pytest.raises(ValidationFailed):
        services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution=" ", actor=channel_manager)
    assert Ticket.objects.get(pk=ticket.pk).status == St.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="已补发两瓶", actor=channel_manager)
    t = Ticket.objects.get(pk=ticket.pk)
    assert t.status == St.RESOLVED and t.resolved_at and t.resolution_minutes is not None
    assert f"Ticket {t.number}: Resolved" in titles(dist_admin)
    # a retry is a no-op; the distributor confirms and closes
    services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="x", actor=channel_manager)
    services.change_status(ticket_id=ticket.pk, status=St.CLOSED, actor=dist_admin)
    services.change_status(ticket_id=ticket.pk, status=St.OPEN, actor=dist_admin)
    t = Ticket.objects.get(pk=ticket.pk)
    assert t.status == St.OPEN and t.resolved_at is None and t.resolution_due_at > t.created_at
    events = list(t.messages.filter(kind=TicketMessage.Kind.EVENT).values_list("body", flat=True))
    assert events == [St.IN_PROGRESS, St.RESOLVED, St.CLOSED, St.OPEN]


def test_a_distributor_may_only_close_and_reopen(ticket, dist_admin):
    with pytest.raises(NotAllowed):
        services.change_status(ticket_id=ticket.pk, status=St.IN_PROGRESS, actor=dist_admin)
    assert Ticket.objects.get(pk=ticket.pk).status == St.OPEN


def test_reopen_window_for_the_distributor(ticket, channel_manager, dist_admin, settings):
    settings.DMS_SERVICE_REOPEN_DAYS = 7
    services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="ok", actor=channel_manager)
    with time_machine.travel(dt.datetime.now(tz=SH) + dt.timedelta(days=8)):
        with pytest.raises(NotAllowed):
            services.change_status(ticket_id=ticket.pk, status=St.OPEN, actor=dist_admin)
        services.change_status(ticket_id=ticket.pk, status=St.OPEN, actor=channel_manager)  # staff may
    assert Ticket.objects.get(pk=ticket.pk).status == St.OPEN


def test_waiting_pauses_the_resolution_clock(distributor, dist_admin, channel_manager):
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(distributor, dist_admin)  # normal: resolution within 40 working hours
    due = ticket.resolution_due_at
    assert due == dt.datetime(2026, 11, 27, 14, tzinfo=SH)  # Friday
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, tzinfo=SH), tick=False):
        services.change_status(ticket_id=ticket.pk, status=St.WAITING, actor=channel_manager)
    # waits Tuesday 10:00 to Wednesday 12:00: 11 working hours
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=SH), tick=False):
        services.post_message(ticket_id=ticket.pk, body="照片已上传", actor=dist_admin)
    ticket.refresh_from_db()
    assert ticket.status == St.IN_PROGRESS and ticket.paused_minutes == 11 * 60
    # the 31 working hours left at the pause are left after it: from Wednesday 12:00 to Monday 16:00
    assert ticket.resolution_due_at == dt.datetime(2026, 11, 30, 16, tzinfo=SH)
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=SH), tick=False):
        services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="已处理", actor=channel_manager)
    ticket.refresh_from_db()
    # Monday 10:00 to Thursday 10:00 is 27 working hours, 11 of them waiting
    assert ticket.resolution_minutes == 16 * 60


def test_reassignment_is_audited_and_notifies_the_new_assignee(ticket, make_staff, channel_manager,
                                                               django_capture_on_commit_callbacks):
    ops = make_staff("sales_ops")
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_ticket(ticket_id=ticket.pk, assignee_id=ops.pk, actor=channel_manager)
    assert Ticket.objects.get(pk=ticket.pk).assignee == ops
    assert titles(ops) == [f"Ticket {ticket.number} is assigned to you"]
    assert AuditLog.objects.filter(model="service.ticket", changes__assignee_id=[channel_manager.pk, ops.pk]).exists()
    with pytest.raises(ValidationFailed):
        services.assign_ticket(ticket_id=ticket.pk, assignee_id=UserFactory(is_active=False).pk,
                               actor=channel_manager)


def test_rating_once_after_resolution(ticket, channel_manager, dist_admin):
    with pytest.raises(InvalidTransition):
        services.rate_ticket(ticket_id=ticket.pk, rating=5, actor=dist_admin)
    services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="ok", actor=channel_manager)
    with pytest.raises(ValidationFailed):
        services.rate_ticket(ticket_id=ticket.pk, rating=6, actor=dist_admin)
    with pytest.raises(NotAllowed):
        services.rate_ticket(ticket_id=ticket.pk, rating=5, actor=channel_manager)
    services.rate_ticket(ticket_id=ticket.pk, rating=4, comment="处理及时", actor=dist_admin)
    with pytest.raises(Conflict):
        services.rate_ticket(ticket_id=ticket.pk, rating=1, actor=dist_admin)
    t = Ticket.objects.get(pk=ticket.pk)
    assert (t.rating, t.rating_comment) == (4, "处理及时")
