"""Regular visits of distributors by their channel managers (定期回访): how often each tier
is visited, the visits (planned → completed or cancelled), the actions agreed at a visit,
photos taken there, and the log that makes each due-date reminder go out once."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel
from dms.core.scoping import TenantManager

DEFAULT_INTERVAL_DAYS = 90  # a tier without its own frequency


class VisitFrequency(models.Model):
    """How many days may pass between two visits of a distributor of this tier."""

    tier = models.OneToOneField("distributors.Tier", verbose_name=_("tier"), on_delete=models.CASCADE,
                                related_name="visit_frequency")
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=DEFAULT_INTERVAL_DAYS)

    class Meta:
        ordering = ["tier__level"]
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequencies")

    def __str__(self):
        return f"{self.tier}: {self.interval_days}"


class Visit(AuditedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Type(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video call")

    TRANSITIONS = {
        Status.PLANNED: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="visits")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="visits_made")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.ON_SITE)
    planned_date = models.DateField(_("planned for"))
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    participants = models.CharField(_("distributor participants"), max_length=255, blank=True)
    staff_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff participants"),
                                                blank=True, related_name="+")
    topics = models.TextField(_("topics"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True,
                                      help_text=_("Only brand staff see these; never the distributor."))
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-planned_date", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["distributor", "status", "visit_date"]),
                   models.Index(fields=["status", "planned_date"])]

    def __str__(self):
        return f"{self.distributor} {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:detail", args=[self.pk])

    @property
    def date(self):
        """The day it took place, or is planned for."""
        return self.visit_date or self.planned_date

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and self.planned_date < timezone.localdate()


class VisitAction(AuditedModel):
    """Something agreed at a visit, owned by a member of staff or by the distributor."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    class Owner(models.TextChoices):
        STAFF = "staff", _("Brand staff")
        DISTRIBUTOR = "distributor", _("Distributor")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=255)
    owner_type = models.CharField(_("owner"), max_length=16, choices=Owner.choices, default=Owner.STAFF)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="visit_actions")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TenantManager("visit__distributor")

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("visit action")
        verbose_name_plural = _("visit actions")

    def __str__(self):
        return self.description

    @property
    def audit_distributor_id(self):
        return self.visit.distributor_id

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and bool(self.due_date and self.due_date < timezone.localdate())

    @property
    def owner_label(self) -> str:
        if self.owner_type == self.Owner.DISTRIBUTOR:
            return str(self.Owner.DISTRIBUTOR.label)
        user = self.owner_user
        return (user.get_full_name() or user.username) if user else str(self.Owner.STAFF.label)


def photo_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"visitphoto/{instance.visit.distributor_id}/{timezone.now():%Y%m}/{uuid.uuid4().hex}.{ext}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=photo_path)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = TenantManager("visit__distributor")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return self.original_filename or self.file.name


class VisitReminder(models.Model):
    """One row per (distributor, due date, stage): a due-visit reminder goes out once."""

    class Stage(models.TextChoices):
        SOON = "soon", _("Due in a week")
        DUE = "due", _("Due today")
        OVERDUE = "overdue", _("Overdue")

    distributor = models.ForeignKey("distributors.Distributor", on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField(_("due date"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("visit reminder")
        verbose_name_plural = _("visit reminders")
        constraints = [models.UniqueConstraint(fields=["distributor", "due_date", "stage"], name="visit_reminder_once")]

    def __str__(self):
        return f"{self.distributor_id} {self.due_date} {self.stage}"
