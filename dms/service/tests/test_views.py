"""Back-office and portal pages: they render, act through the services, and the portal
never shows an internal note."""

import pytest
from django.urls import reverse

from dms.core.testing.factories import portal_user
from dms.service import services
from dms.service.models import Ticket, TicketMessage

from .factories import make_ticket, pdf

pytestmark = pytest.mark.django_db
St = Ticket.Status


@pytest.fixture
def conversation(ticket, channel_manager):
    services.post_message(ticket_id=ticket.pk, body="PUBLIC-ANSWER 请上传照片", actor=channel_manager)
    services.post_message(ticket_id=ticket.pk, body="INTERNAL-NOTE 供应商问题", internal=True, actor=channel_manager,
                          attachments=[pdf("internal.pdf")])
    return ticket


# --- back office -------------------------------------------------------------------------


def test_staff_list_filters_and_export(client, channel_manager, conversation, distributor, dist_admin):
    other = make_ticket(distributor, dist_admin, subject="缺货两箱", type="missing")
    client.force_login(channel_manager)
    response = client.get(reverse("service:list"))
    assert response.status_code == 200
    assert conversation.number in response.text and other.number in response.text
    response = client.get(reverse("service:list"), {"type": "missing"}, HTTP_HX_REQUEST="true")
    assert other.number in response.text and conversation.number not in response.text
    assert "<html" not in response.text  # the fragment only
    export = client.get(reverse("service:list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_my_tickets_shows_the_assignees_active_tickets(client, channel_manager, make_staff, ticket):
    client.force_login(channel_manager)
    assert ticket.number in client.get(reverse("service:mine")).text
    client.force_login(make_staff("sales_ops"))
    assert ticket.number not in client.get(reverse("service:mine")).text


def test_staff_detail_shows_notes_and_posts_with_htmx(client, channel_manager, conversation):
    client.force_login(channel_manager)
    url = reverse("service:detail", args=[conversation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "PUBLIC-ANSWER" in page.text and "INTERNAL-NOTE" in page.text
    response = client.post(reverse("service:messages", args=[conversation.pk]),
                           {"body": "SECOND-NOTE", "internal": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "SECOND-NOTE" in response.text
    assert conversation.messages.get(body="SECOND-NOTE").kind == TicketMessage.Kind.NOTE
    poll = client.get(reverse("service:messages", args=[conversation.pk]), HTTP_HX_REQUEST="true")
    assert "SECOND-NOTE" in poll.text


def test_staff_status_assign_and_files(client, channel_manager, make_staff, conversation):
    client.force_login(channel_manager)
    client.post(reverse("service:status", args=[conversation.pk]), {"status": "resolved", "resolution": ""})
    assert Ticket.objects.get(pk=conversation.pk).status == St.OPEN  # resolution required
    client.post(reverse("service:status", args=[conversation.pk]), {"status": "resolved", "resolution": "已补发"})
    assert Ticket.objects.get(pk=conversation.pk).status == St.RESOLVED
    ops = make_staff("sales_ops")
    client.post(reverse("service:assign", args=[conversation.pk]), {"assignee": ops.pk})
    assert Ticket.objects.get(pk=conversation.pk).assignee == ops
    note_file = conversation.attachments.get()
    response = client.get(reverse("service:file", args=[conversation.pk, note_file.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_staff_raise_for_a_distributor(client, channel_manager, distributor):
    client.force_login(channel_manager)
    assert client.get(reverse("service:create"), {"distributor": distributor.pk}).status_code == 200
    response = client.post(reverse("service:create"), {
        "distributor": distributor.pk, "type": "technical", "priority": "low", "subject": "设备安装咨询",
        "description": "客户来电询问安装步骤"})
    ticket = Ticket.objects.get(subject="设备安装咨询")
    assert response.status_code == 302 and ticket.created_by == channel_manager
    bad = client.post(reverse("service:create"), {"distributor": distributor.pk, "type": "technical"})
    assert bad.status_code == 400 and Ticket.objects.count() == 1


def test_sla_report_page_and_export(client, channel_manager, ticket):
    client.force_login(channel_manager)
    for group in ("priority", "type", "assignee"):
        response = client.get(reverse("service:sla_report"), {"group": group})
        assert response.status_code == 200 and 'data-chart="sla-chart"' in response.text
    export = client.get(reverse("service:sla_report"), {"export": "xlsx"})
    assert export.status_code == 200


def test_roles_without_the_permission_are_refused(client, make_staff, ticket):
    client.force_login(make_staff("finance"))
    assert client.get(reverse("service:list")).status_code == 403
    client.force_login(make_staff("warehouse"))
    assert client.get(reverse("service:sla_report")).status_code == 403


# --- portal ------------------------------------------------------------------------------


def test_portal_never_shows_internal_notes(client, dist_admin, conversation):
    client.force_login(dist_admin)
    for url in (reverse("service_portal:detail", args=[conversation.pk]),
                reverse("service_portal:messages", args=[conversation.pk]),
                reverse("service_portal:list")):
        text = client.get(url).text
        assert "INTERNAL-NOTE" not in text and "internal.pdf" not in text
    detail = client.get(reverse("service_portal:detail", args=[conversation.pk])).text
    assert "PUBLIC-ANSWER" in detail
    note_file = conversation.attachments.get()
    assert client.get(reverse("service_portal:file", args=[conversation.pk, note_file.pk])).status_code == 404


def test_portal_raise_reply_close_and_rate(client, distributor, dist_admin, channel_manager):
    client.force_login(dist_admin)
    assert client.get(reverse("service_portal:create")).status_code == 200
    response = client.post(reverse("service_portal:create"), {
        "type": "damaged", "priority": "high", "subject": "运输破损", "description": "三箱外包装压坏",
        "attachments": [pdf()]})
    ticket = Ticket.objects.get(subject="运输破损")
    assert response.status_code == 302 and ticket.attachments.count() == 1
    services.change_status(ticket_id=ticket.pk, status=St.WAITING, actor=channel_manager)
    client.post(reverse("service_portal:messages", args=[ticket.pk]), {"body": "照片见附件", "internal": "on"})
    ticket.refresh_from_db()
    assert ticket.status == St.IN_PROGRESS
    assert ticket.messages.get(body="照片见附件").kind == TicketMessage.Kind.REPLY  # never a note from the portal
    services.change_status(ticket_id=ticket.pk, status=St.RESOLVED, resolution="已补发三箱", actor=channel_manager)
    assert "已补发三箱" in client.get(reverse("service_portal:detail", args=[ticket.pk])).text
    client.post(reverse("service_portal:status", args=[ticket.pk]), {"status": "closed"})
    client.post(reverse("service_portal:rate", args=[ticket.pk]), {"rating": "5", "comment": "很满意"})
    ticket.refresh_from_db()
    assert ticket.status == St.CLOSED and ticket.rating == 5


def test_portal_another_distributors_ticket_is_404(client, other_dist_admin, ticket):
    client.force_login(other_dist_admin)
    assert client.get(reverse("service_portal:detail", args=[ticket.pk])).status_code == 404
    assert ticket.number not in client.get(reverse("service_portal:list")).text


def test_dashboards_show_the_panels(client, channel_manager, distributor, ticket, dist_admin):
    client.force_login(channel_manager)
    assert reverse("service:mine") in client.get(reverse("backoffice:dashboard")).text
    client.force_login(portal_user(distributor, "distributor_staff", username="d1s2"))
    assert reverse("service_portal:create") in client.get(reverse("portal:dashboard")).text
