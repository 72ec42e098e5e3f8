import pytest

from dms.core.testing.factories import bearer
from dms.notifications.models import Notification
from dms.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_own_notifications_only_with_unread_filter(client, dist_admin, other_dist_admin):
    notify([dist_admin], title="合同即将到期", body="还有 30 天")
    read = notify([dist_admin], title="已读通知")[0]
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00+08:00")
    notify([other_dist_admin], title="别人的通知")

    body = client.get("/api/v1/notifications/", **bearer(dist_admin)).json()
    assert {n["title"] for n in body["results"]} == {"合同即将到期", "已读通知"}
    unread = client.get("/api/v1/notifications/?unread=true", **bearer(dist_admin)).json()
    assert [n["title"] for n in unread["results"]] == ["合同即将到期"]
    assert unread["results"][0]["unread"] is True
    read_only = client.get("/api/v1/notifications/?unread=false", **bearer(dist_admin)).json()
    assert [n["title"] for n in read_only["results"]] == ["已读通知"]
    assert client.get("/api/v1/notifications/unread-count/", **bearer(dist_admin)).json() == {"unread": 1}


def test_mark_one_and_all_read(client, channel_manager):
    first, second, third = (notify([channel_manager], title=f"n{i}")[0] for i in range(3))
    headers = bearer(channel_manager)
    response = client.post(f"/api/v1/notifications/{first.pk}/read/", **headers)
    assert response.status_code == 200
    assert response.json()["unread"] is False and response.json()["read_at"]
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post("/api/v1/notifications/read-all/", **headers)
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_404(client, dist_admin, other_dist_admin):
    theirs = notify([other_dist_admin], title="别人的通知")[0]
    assert client.get(f"/api/v1/notifications/{theirs.pk}/", **bearer(dist_admin)).status_code == 404
    response = client.post(f"/api/v1/notifications/{theirs.pk}/read/", **bearer(dist_admin))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_401(client, db):
    assert client.get("/api/v1/notifications/").status_code == 401
