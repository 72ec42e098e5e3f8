"""Helpers to build announcements and threads in tests."""

from dms.comms import services


def announcement(staff, *, publish=True, **data):
    data = {"title": "春季订货会通知", "body": "请准时参加。", "target_all": True, **data}
    a = services.create_announcement(data=data, actor=staff)
    if publish:
        services.publish_announcement(announcement_id=a.pk, actor=staff)
        a.refresh_from_db()
    return a
