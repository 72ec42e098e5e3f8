from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    CONTRACT = "contract", _("Contracts")
    QUALIFICATION = "qualification", _("Qualifications")
    REVIEW = "review", _("Reviews")
    ORDER = "order", _("Orders")
    SHIPMENT = "shipment", _("Shipments")
    STOCK = "stock", _("Stock")
    FINANCE = "finance", _("Finance and credit")
    CUSTOMER = "customer", _("Customers")
    TICKET = "ticket", _("After-sales tickets")
    VISIT = "visit", _("Visits")
    ANNOUNCEMENT = "announcement", _("Announcements")
    MESSAGE = "message", _("Messages")
    TRAINING = "training", _("Training")
    FEEDBACK = "feedback", _("Market feedback")
    ACCOUNT = "account", _("Account and security")
    SYSTEM = "system", _("System")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, default=Category.SYSTEM)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class Preference(models.Model):
    """Per user and category: in-app and/or e-mail. No row means both on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    in_app = models.BooleanField(_("in-app"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        unique_together = [("user", "category")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")


class ReminderRule(models.Model):
    """"N days before/after a date field of a record, notify these recipients" — as data.

    ``source`` names a registered reminder source (see ``dms.notifications.reminders``),
    which knows the records, their date field and who the recipients are.
    ``offset_days`` is negative before the date, positive after, 0 on the day.
    """

    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=64)
    offset_days = models.IntegerField(_("offset (days)"), help_text=_("Negative: before the date; positive: after."))
    recipients = models.CharField(
        _("recipients"),
        max_length=200,
        help_text=_("Comma-separated: channel_manager, distributor_users, distributor_admin or a staff role name."),
    )
    title = models.CharField(_("title template"), max_length=200, help_text=_("Placeholders: {object}, {date}, {days}."))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["source", "offset_days"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self):
        return self.name


class ReminderLog(models.Model):
    """One row per (rule, record, date): the guarantee that a reminder is sent once."""

    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="logs")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    target_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "content_type", "object_id", "target_date"], name="reminder_once")
        ]
