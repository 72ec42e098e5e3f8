"""Distributor training: courses (brand-wide) with materials, sessions and a quiz; what a
distributor's users did with them (registrations, quiz attempts, completions with their
certificates) belongs to that distributor and is scoped; mandatory courses per tier with
deadlines and the reminders sent about them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel
from dms.core.scoping import TenantManager


def material_upload_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"training/{instance.course_id}/{timezone.now():%Y%m}/{uuid.uuid4().hex}.{ext}"


class Course(AuditedModel):
    class Category(models.TextChoices):
        PRODUCT = "product", _("Product knowledge")
        SALES = "sales", _("Sales skills")
        SERVICE = "service", _("After-sales service")
        COMPLIANCE = "compliance", _("Compliance")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.PRODUCT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    target_tiers = models.ManyToManyField("distributors.Tier", verbose_name=_("target tiers"), blank=True,
                                          related_name="+", help_text=_("Leave empty for all tiers."))
    requires_session = models.BooleanField(
        _("attendance required"), default=False,
        help_text=_("The course is completed only after attending one of its sessions."))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(100)])
    max_attempts = models.PositiveSmallIntegerField(_("quiz attempts"), default=0,
                                                    help_text=_("0 means unlimited."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("mark_attendance", _("Can mark training attendance")),
                       ("view_training_report", _("Can view training records and reports"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:detail", args=[self.pk])


class Material(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        VIDEO = "video", _("Video")
        LINK = "link", _("Link")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=128)
    file = models.FileField(_("file"), upload_to=material_upload_path, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")

    def __str__(self):
        return self.title


class TrainingSession(models.Model):
    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        ON_SITE = "on_site", _("On site")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ONLINE)
    meeting_link = models.URLField(_("meeting link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    registered_count = models.PositiveIntegerField(_("registered"), default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(registered_count__lte=models.F("capacity")),
                                   name="training_session_within_capacity"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="training_session_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.course} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE,
                             related_name="training_registrations")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="training_registrations")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = TenantManager()

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_registration_once")]

    def __str__(self):
        return f"{self.session_id}: {self.user_id}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True / false")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self):
        return self.text[:60]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("answer"), max_length=255)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")

    def __str__(self):
        return self.text


class QuizAttempt(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.CASCADE,
                             related_name="quiz_attempts")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    answers = models.JSONField(_("answers"), default=dict)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [models.UniqueConstraint(fields=["course", "user", "number"], name="training_attempt_number")]

    def __str__(self):
        return f"{self.course} #{self.number}: {self.score}%"


class Completion(models.Model):
    """A person completed a course; carries the certificate (number, and the random token
    its QR code verifies)."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="completions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.PROTECT,
                             related_name="training_completions")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="training_completions")
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)
    certificate_number = models.CharField(_("certificate number"), max_length=24, unique=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-completed_at", "-id"]
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="training_completion_once")]

    def __str__(self):
        return self.certificate_number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class MandatoryCourse(models.Model):
    """A tier must complete a course by a date, or within N days of a distributor's
    activation. A distributor has completed it when ``required_people`` of its users have."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="mandates")
    tier = models.ForeignKey("distributors.Tier", verbose_name=_("tier"), on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    within_days = models.PositiveSmallIntegerField(_("days after activation"), null=True, blank=True)
    required_people = models.PositiveSmallIntegerField(
        _("people who must complete it"), default=1, validators=[MinValueValidator(1)],
        help_text=_("How many of the distributor's users must complete the course."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["tier__level", "due_date", "id"]
        verbose_name = _("mandatory course")
        verbose_name_plural = _("mandatory courses")
        constraints = [
            models.UniqueConstraint(fields=["course", "tier"], name="training_mandate_once"),
            models.CheckConstraint(
                condition=(models.Q(due_date__isnull=False, within_days__isnull=True)
                           | models.Q(due_date__isnull=True, within_days__isnull=False)),
                name="training_mandate_one_deadline",
                violation_error_message=_("Give either a deadline or a number of days after activation.")),
        ]

    def __str__(self):
        return f"{self.course} / {self.tier}"


class DeadlineReminder(models.Model):
    """One row per reminder stage sent to a distributor about a mandatory course: the
    unique constraint makes each stage go out once, however often the job runs."""

    class Stage(models.TextChoices):
        NEW = "new", _("New mandatory course")
        DUE_SOON = "due_soon", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")

    mandate = models.ForeignKey(MandatoryCourse, on_delete=models.CASCADE, related_name="reminders")
    distributor = models.ForeignKey("distributors.Distributor", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        constraints = [models.UniqueConstraint(fields=["mandate", "distributor", "stage"],
                                               name="training_reminder_once")]

    def __str__(self):
        return f"{self.mandate_id} {self.distributor_id} {self.stage}"
