"""Announcements to the distributor network and message threads between the brand and
one distributor.

An announcement belongs to the brand, not to a distributor, so it has no tenant manager:
who may see one is decided by its targeting, in ``selectors`` (every read goes there).
Read receipts, threads, messages and their files belong to a distributor and are scoped.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.audit.mixins import AuditedModel
from dms.core.scoping import TenantManager


def _random_name(prefix, filename):
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"comms/{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


def announcement_upload(instance, filename):
    return _random_name("announcements", filename)


def message_upload(instance, filename):
    return _random_name("messages", filename)


class Announcement(AuditedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Format(models.TextChoices):
        PLAIN = "plain", _("Plain text")
        MARKDOWN = "markdown", _("Markdown (bold, italics, lists, links)")

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.ARCHIVED},
        Status.PUBLISHED: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
    }

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    body_format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.PLAIN)
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Pinned announcements are listed first."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True,
                                      help_text=_("Leave empty to publish at once."))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Targeting: everyone, or the union of the chosen tiers, provinces and distributors.
    target_all = models.BooleanField(_("all distributors"), default=True)
    tiers = models.ManyToManyField("distributors.Tier", verbose_name=_("tiers"), blank=True, related_name="+")
    provinces = models.CharField(_("provinces"), max_length=255, blank=True,
                                 help_text=_("Province codes, stored as ,44,11, for a simple lookup."))
    distributors = models.ManyToManyField("distributors.Distributor", verbose_name=_("distributors"), blank=True,
                                          related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-pinned", "-publish_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        permissions = [("publish_announcement", _("Can publish and archive announcements"))]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("comms:announcement", args=[self.pk])

    @property
    def province_codes(self) -> list[str]:
        return [c for c in self.provinces.split(",") if c]

    @staticmethod
    def pack_provinces(codes) -> str:
        codes = sorted({str(c)[:2] for c in codes if c})
        return f",{','.join(codes)}," if codes else ""

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.status == self.Status.PUBLISHED and (self.publish_at is None or self.publish_at <= now)
                and (self.expires_at is None or self.expires_at > now))


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=announcement_upload)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("announcement attachment")
        verbose_name_plural = _("announcement attachments")

    def __str__(self):
        return self.name


class AnnouncementRead(models.Model):
    """One user opened one announcement (the first time counts)."""

    announcement = models.ForeignKey(Announcement, verbose_name=_("announcement"), on_delete=models.CASCADE,
                                     related_name="reads")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["read_at"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self):
        return f"{self.announcement_id} {self.user_id}"


class Thread(models.Model):
    """A conversation between the brand and one distributor, optionally about one of its
    orders or shipments. ``LINKS`` lists the optional foreign keys shown as "about …"."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("thread status", "Open")
        CLOSED = "closed", pgettext_lazy("thread status", "Closed")

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: {Status.OPEN}}
    LINKS = ("order", "shipment")

    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="threads")
    subject = models.CharField(_("subject"), max_length=200)
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    shipment = models.ForeignKey("logistics.Shipment", verbose_name=_("shipment"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")

    def __str__(self):
        return self.subject

    def linked_objects(self) -> list:
        """(verbose name, object) of each linked record, for an "about" line."""
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.LINKS
                if getattr(self, f"{name}_id")]


class Message(models.Model):
    thread = models.ForeignKey(Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    from_brand = models.BooleanField(_("from the brand"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = TenantManager("thread__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.thread_id}: {self.body[:40]}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=message_upload)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)

    objects = TenantManager("message__thread__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("message attachment")
        verbose_name_plural = _("message attachments")

    def __str__(self):
        return self.name


class ThreadReadMarker(models.Model):
    """How far one user has read one thread: messages with a higher id are unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(_("last message read"), default=0)

    objects = TenantManager("thread__distributor")

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_marker_once")]

    def __str__(self):
        return f"{self.thread_id} {self.user_id} {self.last_read_id}"
