"""After-sales service tickets (售后服务): raised by distributors or by staff for them,
assigned by rules kept as data, worked through a threaded conversation with internal
notes, and measured against service levels in working hours."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.accounts.roles import DISTRIBUTOR_ROLES, Role
from dms.core.scoping import TenantManager


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


class TicketType(models.TextChoices):
    QUALITY = "quality", _("Quality problem")
    DAMAGED = "damaged", _("Damaged goods")
    MISSING = "missing", _("Missing goods")
    RETURN = "return", _("Return request")
    TECHNICAL = "technical", _("Technical question")
    COMPLAINT = "complaint", _("Complaint")


class WorkingHours(models.Model):
    """One working window per weekday; weekdays without a row are days off."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, unique=True)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    """A public holiday, or (``is_working_day``) a weekend day worked in exchange (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=64)
    is_working_day = models.BooleanField(
        _("working day"), default=False, help_text=_("A weekend day that is worked in exchange for a holiday."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Service-level targets of one priority, in working hours."""

    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, unique=True)
    first_response_hours = models.DecimalField(_("first response within (working hours)"), max_digits=6,
                                               decimal_places=2, validators=[MinValueValidator(0)])
    resolution_hours = models.DecimalField(_("resolution within (working hours)"), max_digits=6, decimal_places=2,
                                           validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return f"{self.get_priority_display()}: {self.first_response_hours} h / {self.resolution_hours} h"


class AssignmentRule(models.Model):
    """Who gets a new ticket: the first active rule (lowest position) whose type and
    province match; empty criteria match anything. Without a match: the distributor's
    channel manager."""

    position = models.PositiveIntegerField(_("position"), default=100)
    name = models.CharField(_("name"), max_length=64)
    ticket_type = models.CharField(_("ticket type"), max_length=16, choices=TicketType.choices, blank=True)
    province = models.CharField(_("province code"), max_length=2, blank=True,
                                help_text=_("First two digits of the region code, e.g. 44 for Guangdong."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("or a role"), max_length=32, blank=True,
                            choices=[(r.value, r.label) for r in Role if r not in DISTRIBUTOR_ROLES],
                            help_text=_("The member of this role with the fewest open tickets."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(condition=~models.Q(assignee__isnull=True, role=""), name="rule_has_target"),
        ]

    def __str__(self):
        return self.name


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("ticket status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting_on_distributor", _("Waiting on distributor")
        RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
        CLOSED = "closed", pgettext_lazy("ticket status", "Closed")

    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED},
        Status.IN_PROGRESS: {Status.WAITING, Status.RESOLVED},
        Status.WAITING: {Status.IN_PROGRESS, Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED, Status.OPEN},
        Status.CLOSED: {Status.OPEN},
    }
    ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)
    DONE = (Status.RESOLVED, Status.CLOSED)

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="tickets")
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="tickets")
    shipment = models.ForeignKey("logistics.Shipment", verbose_name=_("shipment"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tickets")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tickets")
    batch_number = models.CharField(_("batch number"), max_length=64, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # service levels (see docs/service.md)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_minutes = models.PositiveIntegerField(default=0, editable=False)
    first_response_minutes = models.PositiveIntegerField(_("first response (working minutes)"), null=True,
                                                         blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breach_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breach_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # satisfaction, once, by the distributor
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        permissions = [
            ("assign_ticket", _("Can assign service tickets")),
            ("view_sla_report", _("Can view the SLA compliance report")),
        ]
        indexes = [models.Index(fields=["status", "assignee"]), models.Index(fields=["status", "resolution_due_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="ticket_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("service:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


def attachment_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"ticket/{instance.ticket.distributor_id}/{timezone.now():%Y%m}/{uuid.uuid4().hex}.{ext}"


class TicketMessage(models.Model):
    """One entry of the conversation. Notes are internal: only staff ever see them."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        EVENT = "event", _("Event")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REPLY)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    from_distributor = models.BooleanField(_("from the distributor"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantManager("ticket__distributor")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.body[:40]}"

    @property
    def internal(self) -> bool:
        return self.kind == self.Kind.NOTE

    @property
    def event_label(self) -> str:
        """An event's body is the new status; shown in the reader's language."""
        return Ticket.Status(self.body).label if self.body in Ticket.Status.values else self.body


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = TenantManager("ticket__distributor")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self):
        return self.name
