"""Market feedback from distributors (triaged and answered by staff) and the marketing
materials library distributors download from, by tier."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.audit.mixins import AuditedModel
from dms.core import regions
from dms.core.scoping import TenantManager


def _private_path(folder, filename):
    """Random file names under a private folder: the name of an upload reveals nothing."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"marketing/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext[:8]}"


def feedback_upload_to(instance, filename):
    return _private_path("feedback", filename)


def material_upload_to(instance, filename):
    return _private_path("materials", filename)


class ActionTag(models.Model):
    """What staff did about a piece of feedback ("forwarded to product", "price review",
    "no action"): data, so the brand adds its own."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("action tag")
        verbose_name_plural = _("action tags")

    def __str__(self):
        return self.name


class Feedback(AuditedModel):
    class Category(models.TextChoices):
        PRODUCT = "product", _("Product")
        COMPETITOR = "competitor", _("Competitor activity")
        PRICE = "price", _("Prices")
        DEMAND = "demand", _("Demand")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("feedback status", "New")
        TRIAGED = "triaged", _("Triaged")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", pgettext_lazy("feedback status", "Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    TRANSITIONS = {
        Status.NEW: {Status.TRIAGED, Status.CLOSED},
        Status.TRIAGED: {Status.RESPONDED, Status.CLOSED},
        Status.RESPONDED: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="feedback")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    details = models.TextField(_("details"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 to 5: how important this is to the distributor (5 = very important)."))
    region_code = models.CharField(_("region"), max_length=6, blank=True, validators=[regions.validate_region])
    province_code = models.CharField(_("province"), max_length=2, blank=True, db_index=True)
    competitor_name = models.CharField(_("competitor"), max_length=64, blank=True)
    competitor_price = models.DecimalField(_("competitor price"), max_digits=18, decimal_places=2, null=True,
                                           blank=True, validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    action_tags = models.ManyToManyField(ActionTag, verbose_name=_("actions"), blank=True, related_name="feedback")
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responded by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("market feedback")
        verbose_name_plural = _("market feedback")
        permissions = [
            ("handle_feedback", _("Can triage, answer and close market feedback")),
            ("view_feedback_analysis", _("Can view the market feedback analysis")),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("marketing:feedback_detail", args=[self.pk])

    @property
    def region_name(self) -> str:
        return regions.display_name(self.region_code)


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=feedback_upload_to)
    original_name = models.CharField(_("file name"), max_length=128)
    kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = TenantManager("feedback__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("feedback attachment")
        verbose_name_plural = _("feedback attachments")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpg", "png")


class Material(AuditedModel):
    """A brochure, image or video (an uploaded file or a link) for distributors. Brand-wide:
    what a distributor may see is decided by its tier (no tier chosen = every tier)."""

    class Category(models.TextChoices):
        BROCHURE = "brochure", _("Brochure")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        POSTER = "poster", _("Poster / POP")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separate tags with commas."))
    file = models.FileField(_("file"), upload_to=material_upload_to, blank=True)
    original_name = models.CharField(_("file name"), max_length=128, blank=True)
    kind = models.CharField(_("file type"), max_length=8, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    link = models.URLField(_("link"), blank=True, help_text=_("Instead of a file: an address to open (e.g. a video)."))
    tiers = models.ManyToManyField("distributors.Tier", verbose_name=_("tiers"), blank=True, related_name="+",
                                   help_text=_("Leave empty for every tier."))
    is_published = models.BooleanField(_("published"), default=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    AUDIT_EXCLUDE = {"updated_at", "download_count"}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("marketing material")
        verbose_name_plural = _("marketing materials")

    def __str__(self):
        return self.title

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpg", "png", "webp", "gif")

    @property
    def display_kind(self) -> str:
        """What the thumbnail shows: image, pdf, video, link or another file."""
        if not self.file:
            return "video" if self.category == self.Category.VIDEO else "link"
        if self.is_image:
            return "image"
        return "video" if self.kind in ("mp4", "mov", "webm") else self.kind

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class MaterialDownload(models.Model):
    """One download by a distributor user: the per-distributor counts come from these rows."""

    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.CASCADE,
                                 related_name="downloads")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    downloaded_at = models.DateTimeField(_("downloaded at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("material download")
        verbose_name_plural = _("material downloads")
        indexes = [models.Index(fields=["material", "distributor"])]

    def __str__(self):
        return f"{self.material_id} ← {self.distributor_id}"
