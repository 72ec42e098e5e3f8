from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Category, Notification, Preference


def _prefs(users, category):
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users, category=category)}
    return [(u, prefs.get(u.pk)) for u in users]


def notify(users: Iterable, *, category=Category.SYSTEM, title: str, body: str = "", url: str = "") -> list:
    """Notify each active user in-app and/or by e-mail, as his preferences say.

    E-mail is queued after commit, so a rolled-back change sends nothing.
    """
    users = [u for u in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    created, email_ids = [], []
    for user, pref in _prefs(users, category):
        in_app = pref.in_app if pref else True
        email = (pref.email if pref else True) and bool(user.email)
        if not (in_app or email):
            continue
        n = Notification.objects.create(
            user=user, category=category, title=str(title)[:200], body=str(body), url=url,
            read_at=None if in_app else timezone.now(),
        )
        created.append(n)
        if email:
            email_ids.append(n.pk)
    if email_ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(email_ids))
    return created


def mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def set_preference(*, user, category, in_app: bool, email: bool):
    Preference.objects.update_or_create(user=user, category=category, defaults={"in_app": in_app, "email": email})


@transaction.atomic
def set_preferences(*, user, choices) -> None:
    """Save several categories at once: ``choices`` is [(category, in_app, email), …]."""
    for category, in_app, email in choices:
        set_preference(user=user, category=category, in_app=in_app, email=email)
