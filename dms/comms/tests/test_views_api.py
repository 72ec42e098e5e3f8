import pytest
from django.urls import reverse

from dms.comms import services
from dms.comms.models import AnnouncementRead, Thread
from dms.core.testing.factories import bearer, tier

from .factories import announcement

pytestmark = pytest.mark.django_db


def test_pages_render_for_staff_and_distributor(client, admin_user, distributor, dist_admin):
    a = announcement(admin_user, title="公告甲", body="**重要**", body_format="markdown")
    thread = services.start_thread(distributor=distributor, subject="对账问题", body="请核对", actor=dist_admin)
    client.force_login(admin_user)
    for url in [reverse("comms:announcements"), reverse("comms:announcement", args=[a.pk]),
                reverse("comms:announcement_create"), reverse("comms:threads"), reverse("comms:thread", args=[thread.pk]),
                reverse("comms:thread_create")]:
        assert client.get(url).status_code == 200, url
    assert b"<strong>" in client.get(reverse("comms:announcement", args=[a.pk])).content
    assert client.get(reverse("comms:announcement", args=[a.pk]) + "?export=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    client.force_login(dist_admin)
    assert "公告甲" in client.get(reverse("comms_portal:announcements")).content.decode()
    assert not AnnouncementRead.objects.exists()
    assert client.get(reverse("comms_portal:announcement", args=[a.pk])).status_code == 200
    assert AnnouncementRead.objects.filter(user=dist_admin).count() == 1
    assert "对账问题" in client.get(reverse("comms_portal:threads")).content.decode()


def test_poll_returns_only_new_messages(client, admin_user, distributor, dist_admin):
    thread = services.start_thread(distributor=distributor, subject="s", body="第一条", actor=dist_admin)
    first = thread.messages.get().pk
    services.post_message(thread_id=thread.pk, body="第二条", actor=admin_user)
    client.force_login(dist_admin)
    text = client.get(reverse("comms_portal:thread_messages", args=[thread.pk]) + f"?after={first}").content.decode()
    assert "第二条" in text and "第一条" not in text and 'hx-trigger="every 7s"' in text


def test_staff_create_publish_via_pages(client, make_staff, distributor):
    ops = make_staff("sales_ops")
    client.force_login(ops)
    response = client.post(reverse("comms:announcement_create"), {
        "title": "一级通知", "body": "内容", "body_format": "plain", "audience": "selected", "tiers": [tier(1).pk]})
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(reverse("comms:announcement_publish", args=[pk]))
    response = client.post(reverse("comms:announcement_create"), {
        "title": "无对象", "body": "内容", "body_format": "plain", "audience": "selected"})
    assert response.status_code == 400


def test_channel_manager_cannot_manage_announcements(client, channel_manager):
    client.force_login(channel_manager)
    assert client.get(reverse("comms:announcement_create")).status_code == 403


def test_api_announcements_and_threads(client, admin_user, distributor, other_distributor, dist_admin):
    mine = announcement(admin_user, title="给甲", target_all=False, distributors=[distributor.pk])
    announcement(admin_user, title="给乙", target_all=False, distributors=[other_distributor.pk])
    headers = bearer(dist_admin)
    data = client.get("/api/v1/announcements/", **headers).json()
    assert [a["title"] for a in data["results"]] == ["给甲"] and data["results"][0]["is_read"] is False
    assert client.post(f"/api/v1/announcements/{mine.pk}/read/", **headers).json()["is_read"] is True
    assert client.post("/api/v1/announcements/", {"title": "x", "body": "y"}, content_type="application/json",
                       **headers).status_code == 403
    staff = bearer(admin_user)
    created = client.post("/api/v1/announcements/", {"title": "新", "body": "正文", "target_all": False,
                                                     "provinces": ["44"]}, content_type="application/json", **staff)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert client.post(f"/api/v1/announcements/{created.json()['id']}/publish/", **staff).json()["status"] == "published"

    response = client.post("/api/v1/threads/", {"subject": "咨询", "body": "你好"}, content_type="application/json",
                           **headers)
    assert response.status_code == 201
    tid = response.json()["id"]
    assert Thread.objects.get(pk=tid).distributor_id == distributor.pk
    assert client.post(f"/api/v1/threads/{tid}/messages/", {"body": "回复"}, content_type="application/json",
                       **staff).status_code == 201
    assert client.get("/api/v1/threads/", **headers).json()["results"][0]["unread"] == 1
    messages = client.get(f"/api/v1/threads/{tid}/messages/", **headers).json()["results"]
    assert [m["body"] for m in messages] == ["你好", "回复"]
    assert client.get("/api/v1/threads/", **headers).json()["results"][0]["unread"] == 0
