"""/api/v1/tickets/: a distributor token sees only its own; internal notes only for staff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dms.core.testing.factories import bearer
from dms.service import services
from dms.service.models import Ticket, TicketMessage

from .factories import PDF, make_ticket

pytestmark = pytest.mark.django_db
St = Ticket.Status
URL = "/api/v1/tickets/"


def test_distributor_creates_lists_and_retrieves_its_own(client, dist_admin, other_dist_admin, other_distributor):
    foreign = make_ticket(other_distributor, other_dist_admin, subject="FOREIGN")
    response = client.post(URL, {"type": "missing", "subject": "少发一箱", "description": "订单少一箱",
                                 "priority": "high", "distributor": other_distributor.pk},
                           content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("TK") and body["status"] == "open"
    assert body["distributor"] == dist_admin.distributor_id  # the body cannot raise for another
    listed = client.get(URL, **bearer(dist_admin)).json()
    assert [t["id"] for t in listed["results"]] == [body["id"]]
    assert client.get(f"{URL}{foreign.pk}/", **bearer(dist_admin)).status_code == 404
    assert client.get(f"{URL}{foreign.pk}/messages/", **bearer(dist_admin)).status_code == 404


def test_create_with_attachments_multipart_and_bad_file(client, dist_admin):
    response = client.post(URL, {"type": "quality", "subject": "瓶盖漏液", "description": "批次 B1",
                                 "attachments": [SimpleUploadedFile("a.pdf", PDF)]}, **bearer(dist_admin))
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert len(response.json()["attachments"]) == 1
    download = client.get(response.json()["attachments"][0]["url"], **bearer(dist_admin))
    assert download.status_code == 200
    bad = client.post(URL, {"type": "quality", "subject": "x", "description": "y",
                            "attachments": [SimpleUploadedFile("a.pdf", b"plain text")]}, **bearer(dist_admin))
    assert bad.status_code == 400 and "attachments" in bad.json()["error"]["fields"]
    assert Ticket.objects.exclude(pk=ticket.pk).count() == 0


def test_messages_internal_only_for_staff(client, ticket, dist_admin, channel_manager):
    staff, dist = bearer(channel_manager), bearer(dist_admin)
    url = f"{URL}{ticket.pk}/messages/"
    assert client.post(url, {"body": "API-NOTE", "internal": True}, content_type="application/json",
                       **staff).status_code == 201
    assert client.post(url, {"body": "API-PUBLIC"}, content_type="application/json", **staff).status_code == 201
    refused = client.post(url, {"body": "sneaky", "internal": True}, content_type="application/json", **dist)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert not TicketMessage.objects.filter(body="sneaky").exists()
    assert [m["body"] for m in client.get(url, **dist).json()] == ["API-PUBLIC"]
    assert "API-NOTE" not in client.get(f"{URL}{ticket.pk}/", **dist).content.decode()
    assert [m["body"] for m in client.get(url, **staff).json()] == ["API-NOTE", "API-PUBLIC"]


def test_transitions_as_actions(client, ticket, dist_admin, channel_manager):
    staff, dist = bearer(channel_manager), bearer(dist_admin)
    assert client.post(f"{URL}{ticket.pk}/start/", **staff).json()["status"] == "in_progress"
    assert client.post(f"{URL}{ticket.pk}/start/", **dist).status_code == 403
    missing = client.post(f"{URL}{ticket.pk}/resolve/", {}, content_type="application/json", **staff)
    assert missing.status_code == 400
    resolved = client.post(f"{URL}{ticket.pk}/resolve/", {"resolution": "已补发"}, content_type="application/json",
                           **staff)
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "已补发"
    assert client.post(f"{URL}{ticket.pk}/rate/", {"rating": 5}, content_type="application/json",
                       **staff).status_code == 403
    rated = client.post(f"{URL}{ticket.pk}/rate/", {"rating": 4, "comment": "好"}, content_type="application/json",
                        **dist)
    assert rated.json()["rating"] == 4
    again = client.post(f"{URL}{ticket.pk}/rate/", {"rating": 1}, content_type="application/json", **dist)
    assert again.status_code == 409
    assert client.post(f"{URL}{ticket.pk}/reopen/", **dist).json()["status"] == "open"
    closed = client.post(f"{URL}{ticket.pk}/close/", **staff)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "invalid_transition"


def test_staff_filters_and_assign(client, ticket, channel_manager, make_staff, distributor, dist_admin):
    other = make_ticket(distributor, dist_admin, type="complaint", priority="urgent")
    staff = bearer(channel_manager)
    results = client.get(URL, {"type": "complaint"}, **staff).json()["results"]
    assert [t["id"] for t in results] == [other.pk]
    results = client.get(URL, {"ordering": "number"}, **staff).json()["results"]
    assert [t["id"] for t in results] == [ticket.pk, other.pk]
    ops = make_staff("sales_ops")
    assert client.post(f"{URL}{ticket.pk}/assign/", {"assignee": ops.pk}, content_type="application/json",
                       **staff).json()["assignee"] == ops.pk
    assert client.post(f"{URL}{ticket.pk}/assign/", {"assignee": ops.pk}, content_type="application/json",
                       **bearer(dist_admin)).status_code == 403


def test_staff_create_needs_a_distributor_in_scope(client, channel_manager, other_distributor):
    response = client.post(URL, {"type": "quality", "subject": "x", "description": "y",
                                 "distributor": other_distributor.pk}, content_type="application/json",
                           **bearer(channel_manager))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_waiting_ticket_goes_back_to_work_on_a_distributor_reply(client, ticket, channel_manager, dist_admin):
    services.change_status(ticket_id=ticket.pk, status=St.WAITING, actor=channel_manager)
    client.post(f"{URL}{ticket.pk}/messages/", {"body": "补充信息"}, content_type="application/json",
                **bearer(dist_admin))
    assert Ticket.objects.get(pk=ticket.pk).status == St.IN_PROGRESS
