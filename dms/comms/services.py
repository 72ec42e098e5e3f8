"""Announcements (draft → published → archived, read receipts, notification on publish,
exactly once) and message threads (start, post, read, close and reopen)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.regions import provinces as all_provinces

from . import selectors
from .files import attachment_rows
from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    Message,
    MessageAttachment,
    Thread,
    ThreadReadMarker,
)

St = Announcement.Status
PROVINCES = {code for code, _name in all_provinces()}


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


# --- announcements ---------------------------------------------------------------------


def _clean_announcement(data: dict) -> dict:
    errors = {}
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    if not title:
        errors["title"] = [_("This field is required.")]
    if not body:
        errors["body"] = [_("This field is required.")]
    if data.get("body_format", Announcement.Format.PLAIN) not in Announcement.Format.values:
        errors["body_format"] = [_("Choose plain text or Markdown.")]
    codes = [str(c) for c in data.get("provinces") or []]
    if any(c not in PROVINCES for c in codes):
        errors["provinces"] = [_("Unknown province code.")]
    target_all = bool(data.get("target_all"))
    if not target_all and not (codes or data.get("tiers") or data.get("distributors")):
        errors["target_all"] = [_("Choose who receives it: everyone, or tiers, provinces or distributors.")]
    publish_at, expires_at = data.get("publish_at"), data.get("expires_at")
    if publish_at and expires_at and expires_at <= publish_at:
        errors["expires_at"] = [_("The expiry must be after the publication time.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"title": title[:200], "body": body, "body_format": data.get("body_format") or Announcement.Format.PLAIN,
            "pinned": bool(data.get("pinned")), "publish_at": publish_at, "expires_at": expires_at,
            "target_all": target_all, "provinces": "" if target_all else Announcement.pack_provinces(codes)}


def _save_targets(announcement, data):
    announcement.tiers.set([] if announcement.target_all else data.get("tiers") or [])
    announcement.distributors.set([] if announcement.target_all else data.get("distributors") or [])


def _add_attachments(announcement, uploads):
    for row in attachment_rows(uploads):
        AnnouncementAttachment.objects.create(announcement=announcement, **row)


@transaction.atomic
def create_announcement(*, data: dict, attachments=None, actor) -> Announcement:
    """``data``: title, body, body_format, pinned, publish_at, expires_at, target_all, tiers,
    provinces, distributors (lists of ids / codes). Created as a draft."""
    fields = _clean_announcement(data)
    announcement = Announcement.objects.create(created_by=_actor(actor), **fields)
    _save_targets(announcement, data)
    _add_attachments(announcement, attachments)
    return announcement


@transaction.atomic
def update_announcement(*, announcement_id: int, data: dict, attachments=None, remove_attachments=(),
                        actor) -> Announcement:
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status == St.ARCHIVED:
        raise InvalidTransition(announcement.get_status_display(), _("edited"))
    fields = _clean_announcement(data)
    for name, value in fields.items():
        setattr(announcement, name, value)
    announcement.save()
    _save_targets(announcement, data)
    announcement.attachments.filter(pk__in=list(remove_attachments)).delete()
    _add_attachments(announcement, attachments)
    return announcement


@transaction.atomic
def delete_announcement(*, announcement_id: int, actor) -> None:
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status != St.DRAFT:
        raise InvalidTransition(announcement.get_status_display(), _("deleted"))
    announcement.delete()


def _transition(announcement, target, actor):
    if target not in Announcement.TRANSITIONS.get(announcement.status, ()):
        raise InvalidTransition(announcement.get_status_display(), target.label)
    old, announcement.status = announcement.status, target
    return old


@transaction.atomic
def publish_announcement(*, announcement_id: int, actor) -> Announcement:
    """Publish now, or at ``publish_at`` if that is later: the targeted users are notified
    when it goes live (now, after commit, or by the frequent job) — once."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status == St.PUBLISHED:
        return announcement
    now = timezone.now()
    if announcement.expires_at and announcement.expires_at <= now:
        raise ValidationFailed(fields={"expires_at": [_("This announcement has already expired.")]})
    old = _transition(announcement, St.PUBLISHED, actor)
    announcement.publish_at = announcement.publish_at or now
    announcement.published_at = now
    announcement.save()
    record(action=AuditLog.Action.TRANSITION, instance=announcement, changes={"status": [old, St.PUBLISHED]},
           actor=actor)
    if announcement.publish_at <= now:
        pk = announcement.pk
        transaction.on_commit(lambda: notify_announcement(announcement_id=pk))
    return announcement


@transaction.atomic
def archive_announcement(*, announcement_id: int, actor) -> Announcement:
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status == St.ARCHIVED:
        return announcement
    old = _transition(announcement, St.ARCHIVED, actor)
    announcement.save()
    record(action=AuditLog.Action.TRANSITION, instance=announcement, changes={"status": [old, St.ARCHIVED]},
           actor=actor)
    return announcement


def notify_announcement(*, announcement_id: int, now=None) -> int:
    """Notify the users targeted now, if nobody was notified yet and it is live. The
    conditional UPDATE claims the announcement, so two runs never both send. Returns the
    number of users notified."""
    from dms.notifications.models import Category
    from dms.notifications.services import notify

    now = now or timezone.now()
    with scopes_disabled(), transaction.atomic():
        claimed = Announcement.objects.filter(selectors.live_q(now), pk=announcement_id,
                                              notified_at__isnull=True).update(notified_at=now)
        if not claimed:
            return 0
        announcement = Announcement.objects.get(pk=announcement_id)
        users = list(selectors.targeted_users(announcement))
        from django.urls import reverse

        url = reverse("comms_portal:announcement", args=[announcement.pk])
        notify(users, category=Category.ANNOUNCEMENT, title=announcement.title,
               body=announcement.body[:300], url=url)
        return len(users)


def notify_due_announcements(now=None) -> int:
    """The frequent job: announcements whose publication time has passed and whose users
    were not notified yet."""
    now = now or timezone.now()
    with scopes_disabled():
        due = list(Announcement.objects.filter(selectors.live_q(now), notified_at__isnull=True)
                   .values_list("pk", flat=True))
    return sum(1 for pk in due if notify_announcement(announcement_id=pk, now=now))


def mark_announcement_read(*, announcement: Announcement, user) -> AnnouncementRead | None:
    """A distributor user opened the announcement: the first time is recorded (staff: nothing)."""
    if not user.distributor_id:
        return None
    read, _created = AnnouncementRead.objects.get_or_create(
        announcement=announcement, user=user, defaults={"distributor_id": user.distributor_id})
    return read


# --- threads ---------------------------------------------------------------------------


def _check_links(distributor_id, order=None, shipment=None) -> dict:
    errors = {}
    if order is not None and order.distributor_id != distributor_id:
        errors["order"] = [_("This order belongs to another distributor.")]
    if shipment is not None and shipment.distributor_id != distributor_id:
        errors["shipment"] = [_("This shipment belongs to another distributor.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"order": order, "shipment": shipment}


@transaction.atomic
def start_thread(*, distributor, subject: str, body: str, actor, order=None, shipment=None,
                 attachments=None) -> Thread:
    """Staff start a thread with a distributor; a distributor user with the brand."""
    if actor.distributor_id and actor.distributor_id != distributor.pk:
        raise NotAllowed()
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = [_("This field is required.")]
    if not (body or "").strip():
        errors["body"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(fields=errors)
    links = _check_links(distributor.pk, order, shipment)
    thread = Thread.objects.create(distributor=distributor, subject=subject.strip()[:200], created_by=_actor(actor),
                                   **links)
    _add_message(thread, body, actor, attachments)
    if not actor.distributor_id:
        record(action=AuditLog.Action.CREATE, instance=thread, distributor_id=distributor.pk, actor=actor)
    return thread


def _add_message(thread, body, actor, attachments) -> Message:
    rows = attachment_rows(attachments)
    message = Message.objects.create(thread=thread, author=_actor(actor), body=body.strip(),
                                     from_brand=not actor.distributor_id)
    for row in rows:
        MessageAttachment.objects.create(message=message, **row)
    thread.last_message_at = message.created_at
    thread.save(update_fields=["last_message_at"])
    _set_marker(thread, actor, message.pk)
    pk = message.pk
    transaction.on_commit(lambda: notify_message(message_id=pk))
    return message


@transaction.atomic
def post_message(*, thread_id: int, body: str, actor, attachments=None) -> Message:
    thread = Thread.objects.select_for_update().get(pk=thread_id)
    if actor.distributor_id and actor.distributor_id != thread.distributor_id:
        raise NotAllowed()
    if thread.status == Thread.Status.CLOSED:
        raise ValidationFailed(_("This conversation is closed; reopen it to write."))
    if not (body or "").strip():
        raise ValidationFailed(fields={"body": [_("This field is required.")]})
    return _add_message(thread, body, actor, attachments)


def _set_marker(thread, user, message_id):
    """Move the user's marker forward (never back)."""
    marker, _created = ThreadReadMarker.objects.get_or_create(thread=thread, user=user)
    if message_id > marker.last_read_id:
        ThreadReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=message_id).update(last_read_id=message_id)


def mark_thread_read(*, thread, user, up_to: int | None = None) -> None:
    last = up_to if up_to is not None else (thread.messages.order_by("-id").values_list("id", flat=True).first() or 0)
    if last:
        _set_marker(thread, user, last)


@transaction.atomic
def set_thread_status(*, thread_id: int, status: str, actor) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread_id)
    if actor.distributor_id and actor.distributor_id != thread.distributor_id:
        raise NotAllowed()
    if thread.status == status:
        return thread
    if status not in Thread.TRANSITIONS.get(thread.status, ()):
        raise InvalidTransition(thread.get_status_display(), status)
    old, thread.status = thread.status, status
    thread.closed_at = timezone.now() if status == Thread.Status.CLOSED else None
    thread.save(update_fields=["status", "closed_at"])
    record(action=AuditLog.Action.TRANSITION, instance=thread, distributor_id=thread.distributor_id,
           changes={"status": [old, status]}, actor=actor)
    return thread


def _brand_recipients(thread) -> list:
    """The distributor's channel manager and every member of staff who wrote in the thread;
    without either, the administrators."""
    ids = set(Message.objects.filter(thread=thread, from_brand=True, author__isnull=False)
              .values_list("author_id", flat=True))
    if thread.distributor.channel_manager_id:
        ids.add(thread.distributor.channel_manager_id)
    if not ids:
        return list(User.objects.filter(is_active=True, groups__name=Role.ADMIN, distributor__isnull=True))
    return list(User.objects.filter(pk__in=ids, is_active=True))


def notify_message(*, message_id: int) -> int:
    """Tell the other side about a new message (in-app and/or e-mail, per preference)."""
    from django.urls import reverse

    from dms.notifications.models import Category
    from dms.notifications.services import notify

    with scopes_disabled():
        message = Message.objects.select_related("thread__distributor", "author").get(pk=message_id)
        thread = message.thread
        if message.from_brand:
            users = list(User.objects.filter(distributor_id=thread.distributor_id, is_active=True))
            url = reverse("comms_portal:thread", args=[thread.pk])
        else:
            users = _brand_recipients(thread)
            url = reverse("comms:thread", args=[thread.pk])
        users = [u for u in users if u.pk != message.author_id]
        author = message.author.get_full_name() if message.author else ""
        notify(users, category=Category.MESSAGE, title=_("New message: %(subject)s") % {"subject": thread.subject},
               body=f"{author}: {message.body[:300]}", url=url)
        return len(users)
