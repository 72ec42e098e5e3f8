import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dms.comms import selectors, services
from dms.comms.markup import render_markdown, render_plain
from dms.comms.models import Announcement, AnnouncementRead, Thread
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import DistributorFactory, portal_user, tier
from dms.notifications.jobs import run_frequent
from dms.notifications.models import Category, Notification, Preference

from .factories import announcement

pytestmark = pytest.mark.django_db


def visible(distributor):
    return set(selectors.announcements_for_distributor(distributor).values_list("title", flat=True))


@pytest.fixture
def network(admin_user):
    gd1 = DistributorFactory(name="广东一级", tier=tier(1), region_code="440305")
    bj2 = DistributorFactory(name="北京二级", tier=tier(2), region_code="110105")
    sh2 = DistributorFactory(name="上海二级", tier=tier(2), region_code="310115")
    return gd1, bj2, sh2


def test_targeting_all_tier_region_named_is_a_union(admin_user, network):
    gd1, bj2, sh2 = network
    announcement(admin_user, title="all")
    announcement(admin_user, title="tier1", target_all=False, tiers=[tier(1).pk])
    announcement(admin_user, title="beijing", target_all=False, provinces=["11"])
    announcement(admin_user, title="named-sh", target_all=False, distributors=[sh2.pk])
    announcement(admin_user, title="tier1-or-sh", target_all=False, tiers=[tier(1).pk], distributors=[sh2.pk])
    assert visible(gd1) == {"all", "tier1", "tier1-or-sh"}
    assert visible(bj2) == {"all", "beijing"}
    assert visible(sh2) == {"all", "named-sh", "tier1-or-sh"}


def test_targeting_follows_the_current_tier(admin_user, network):
    gd1, bj2, _sh2 = network
    announcement(admin_user, title="tier1", target_all=False, tiers=[tier(1).pk])
    assert "tier1" not in visible(bj2)
    bj2.tier = tier(1)
    bj2.save()
    assert "tier1" in visible(bj2)


def test_drafts_future_expired_and_archived_are_hidden(admin_user, network):
    gd1 = network[0]
    now = timezone.now()
    announcement(admin_user, title="draft", publish=False)
    announcement(admin_user, title="future", publish_at=now + dt.timedelta(hours=2))
    expired = announcement(admin_user, title="expired", publish_at=now - dt.timedelta(days=3))
    Announcement.objects.filter(pk=expired.pk).update(expires_at=now - dt.timedelta(days=1))
    archived = announcement(admin_user, title="archived")
    services.archive_announcement(announcement_id=archived.pk, actor=admin_user)
    announcement(admin_user, title="live")
    assert visible(gd1) == {"live"}


def test_pinned_first(admin_user, network):
    announcement(admin_user, title="old pinned", pinned=True, publish_at=timezone.now() - dt.timedelta(days=5))
    announcement(admin_user, title="new")
    titles = list(selectors.announcements_for_distributor(network[0]).values_list("title", flat=True))
    assert titles == ["old pinned", "new"]


def test_invalid_announcement_changes_nothing(admin_user):
    with pytest.raises(ValidationFailed) as exc:
        services.create_announcement(data={"title": "", "body": "x", "target_all": False}, actor=admin_user)
    assert {"title", "target_all"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        services.create_announcement(data={"title": "t", "body": "x", "provinces": ["99"], "target_all": False},
                                     actor=admin_user)
    assert "provinces" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.create_announcement(
            data={"title": "t", "body": "x", "target_all": True},
            attachments=[SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>")], actor=admin_user)
    assert not Announcement.objects.exists()


def test_transitions(admin_user):
    a = announcement(admin_user, publish=False)
    services.publish_announcement(announcement_id=a.pk, actor=admin_user)
    services.publish_announcement(announcement_id=a.pk, actor=admin_user)  # retry: no-op
    services.archive_announcement(announcement_id=a.pk, actor=admin_user)
    with pytest.raises(InvalidTransition):
        services.publish_announcement(announcement_id=a.pk, actor=admin_user)
    with pytest.raises(InvalidTransition):
        services.delete_announcement(announcement_id=a.pk, actor=admin_user)


def test_publish_notifies_targeted_users_once(admin_user, network, django_capture_on_commit_callbacks):
    gd1, bj2, _ = network
    u1 = portal_user(gd1, username="gd_user")
    u2 = portal_user(bj2, username="bj_user")
    Preference.objects.create(user=u1, category=Category.ANNOUNCEMENT, in_app=True, email=False)
    a = announcement(admin_user, publish=False, target_all=False, tiers=[tier(1).pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_announcement(announcement_id=a.pk, actor=admin_user)
    assert list(Notification.objects.filter(category=Category.ANNOUNCEMENT).values_list("user", flat=True)) == [u1.pk]
    run_frequent()
    run_frequent()
    assert Notification.objects.filter(category=Category.ANNOUNCEMENT).count() == 1
    assert not Notification.objects.filter(user=u2).exists()


def test_scheduled_publish_notifies_when_the_time_passes_once(admin_user, network,
                                                             django_capture_on_commit_callbacks):
    user = portal_user(network[0], username="gd_user")
    later = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        a = announcement(admin_user, publish_at=later)
    assert not Notification.objects.filter(user=user).exists()
    assert run_frequent(timezone.now())["comms_scheduled_announcements"] == 0
    assert run_frequent(later + dt.timedelta(minutes=1))["comms_scheduled_announcements"] == 1
    assert run_frequent(later + dt.timedelta(minutes=6))["comms_scheduled_announcements"] == 0
    assert Notification.objects.filter(user=user, category=Category.ANNOUNCEMENT).count() == 1
    a.refresh_from_db()
    assert a.notified_at is not None


def test_read_receipts_count_per_user_and_distributor(admin_user, network):
    gd1, bj2, sh2 = network
    u1, u1b = portal_user(gd1, username="a1"), portal_user(gd1, username="a2")
    portal_user(bj2, username="b1")
    a = announcement(admin_user)
    services.mark_announcement_read(announcement=a, user=u1)
    services.mark_announcement_read(announcement=a, user=u1)  # opening twice counts once
    assert services.mark_announcement_read(announcement=a, user=admin_user) is None
    data = selectors.receipts(a)
    assert (data["distributors"], data["distributors_read"], data["users"], data["users_read"]) == (3, 1, 3, 1)
    row = next(r for r in data["rows"] if r["distributor"] == gd1)
    assert {p["user"].username: bool(p["read_at"]) for p in row["users"]} == {"a1": True, "a2": False}
    assert AnnouncementRead.objects.count() == 1
    assert selectors.unread_announcement_count(gd1, u1) == 0
    assert selectors.unread_announcement_count(gd1, u1b) == 1


def test_thread_links_must_belong_to_the_distributor(admin_user, distributor, other_distributor):
    from dms.orders.models import Order

    order = Order.objects.create(distributor=other_distributor)
    with pytest.raises(ValidationFailed) as exc:
        services.start_thread(distributor=distributor, subject="s", body="b", actor=admin_user, order=order)
    assert "order" in exc.value.fields
    assert not Thread.objects.exists()


def test_distributor_cannot_write_into_another_distributors_thread(admin_user, distributor, other_dist_admin):
    thread = services.start_thread(distributor=distributor, subject="s", body="b", actor=admin_user)
    with pytest.raises(NotAllowed):
        services.post_message(thread_id=thread.pk, body="x", actor=other_dist_admin)


def test_unread_counts_and_notifications(distributor, dist_admin, channel_manager,
                                         django_capture_on_commit_callbacks):
    colleague = portal_user(distributor, "distributor_staff", username="d1staff")
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(distributor=distributor, subject="到货少了", body="少了两箱", actor=dist_admin)
    # the brand side is told: the distributor's channel manager
    assert Notification.objects.filter(user=channel_manager, category=Category.MESSAGE).count() == 1
    assert selectors.unread_thread_count(channel_manager) == 1
    assert selectors.unread_thread_count(dist_admin) == 0
    assert selectors.unread_thread_count(colleague) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(thread_id=thread.pk, body="马上补发", actor=channel_manager)
    assert selectors.unread_thread_count(channel_manager) == 0  # writing reads the thread
    assert selectors.unread_thread_count(dist_admin) == 1
    assert Notification.objects.filter(user__in=[dist_admin, colleague], category=Category.MESSAGE).count() == 2
    services.mark_thread_read(thread=thread, user=dist_admin)
    assert selectors.unread_thread_count(dist_admin) == 0


def test_closed_thread_refuses_messages_until_reopened(admin_user, distributor):
    thread = services.start_thread(distributor=distributor, subject="s", body="b", actor=admin_user)
    services.set_thread_status(thread_id=thread.pk, status=Thread.Status.CLOSED, actor=admin_user)
    with pytest.raises(ValidationFailed):
        services.post_message(thread_id=thread.pk, body="x", actor=admin_user)
    services.set_thread_status(thread_id=thread.pk, status=Thread.Status.OPEN, actor=admin_user)
    services.post_message(thread_id=thread.pk, body="x", actor=admin_user)
    assert thread.messages.count() == 2


def test_markdown_escapes_html():
    html = render_markdown("# 标题\n\n**粗体** <script>alert(1)</script>\n\n- 一\n- 二\n\n[链接](https://a.cn) [x](javascript:alert(1))")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h3>标题</h3>" in html and "<strong>粗体</strong>" in html and "<ul><li>一</li><li>二</li></ul>" in html
    assert 'href="https://a.cn"' in html and "javascript:" not in html.split("href")[-1].split(">")[0]
    assert render_plain("a\nb\n\n<b>c</b>") == "<p>a<br>b</p><p>&lt;b&gt;c&lt;/b&gt;</p>"
