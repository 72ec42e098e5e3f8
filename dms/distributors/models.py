import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel
from dms.core import regions
from dms.core.scoping import TenantManager

from .validators import validate_phone, validate_uscc


def detail_url(distributor_id, section: str = "") -> str:
    from django.urls import reverse

    return reverse("distributors:detail", args=[distributor_id]) + (f"#{section}" if section else "")


class Tier(models.Model):
    """A distributor level. Level 1 buys from the brand; level 2 from a level-1 parent."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    name = models.CharField(_("name"), max_length=64)
    review_interval_months = models.PositiveSmallIntegerField(_("re-review interval (months)"), default=12)

    class Meta:
        ordering = ["level"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=32, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Distributor(AuditedModel):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        PENDING_REVIEW = "pending_review", _("Pending review")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.PROSPECT: {Status.PENDING_REVIEW, Status.TERMINATED},
        Status.PENDING_REVIEW: {Status.ACTIVE, Status.PROSPECT, Status.TERMINATED},
        Status.ACTIVE: {Status.SUSPENDED, Status.TERMINATED},
        Status.SUSPENDED: {Status.ACTIVE, Status.TERMINATED},
        Status.TERMINATED: set(),
    }
    LOGIN_STATUSES = {Status.PROSPECT, Status.PENDING_REVIEW, Status.ACTIVE}

    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=128)
    legal_name = models.CharField(_("legal name"), max_length=128, blank=True)
    credit_code = models.CharField(
        _("Unified Social Credit Code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="distributors")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent distributor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region_code = models.CharField(_("region"), max_length=6, blank=True, validators=[regions.validate_region])
    sales_territory = models.CharField(_("sales territory"), max_length=128, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    bank_name = models.CharField(_("bank"), max_length=128, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True)
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_distributors",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="distributors")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    status_reason = models.CharField(_("status reason"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    qualification_flag = models.BooleanField(
        _("qualification expired"), default=False, help_text=_("Set when a current qualification has expired.")
    )
    next_review_date = models.DateField(_("next re-review"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager("id")

    class Meta:
        ordering = ["code"]
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        permissions = [
            ("submit_distributor", _("Can submit a distributor for review")),
            ("change_distributor_status", _("Can suspend, reactivate and terminate distributors")),
            ("review_distributor", _("Can decide qualification reviews")),
            ("final_review_distributor", _("Can decide the final qualification review step")),
            ("verify_qualification", _("Can verify qualification documents")),
            ("import_distributor", _("Can import distributors from Excel")),
        ]
        indexes = [models.Index(fields=["status", "tier"]), models.Index(fields=["region_code"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def audit_distributor_id(self):
        return self.pk

    def get_absolute_url(self, section: str = "") -> str:
        """The 360° page, optionally at one of its sections ("contacts", "qualifications" …)."""
        return detail_url(self.pk, section)

    @property
    def allows_login(self) -> bool:
        return self.status in self.LOGIN_STATUSES

    @property
    def region_name(self) -> str:
        return regions.display_name(self.region_code)

    @property
    def primary_contact(self):
        return next((c for c in self.contacts.all() if c.is_primary), None)


class Contact(AuditedModel):
    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("job title"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    objects = TenantManager()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["distributor"], condition=Q(is_primary=True), name="one_primary_contact_per_distributor"
            )
        ]

    def __str__(self):
        return self.name


def private_upload_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance._meta.model_name}/{instance.distributor_id}/{timezone.now():%Y%m}/{uuid.uuid4().hex}.{ext}"


class Qualification(AuditedModel):
    class Type(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence")
        INDUSTRY_PERMIT = "industry_permit", _("Industry permit")
        BRAND_AUTHORISATION = "brand_authorisation", _("Brand authorisation")
        FOOD_PERMIT = "food_permit", _("Food business permit")
        OTHER = "other", _("Other")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="qualifications"
    )
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    number = models.CharField(_("number"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=128, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=private_upload_path, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    verification_status = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_comment = models.CharField(_("comment"), max_length=255, blank=True)
    replaces = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = TenantManager()

    class Meta:
        ordering = ["valid_to", "type"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return f"{self.get_type_display()} {self.number}"

    @property
    def is_expired(self) -> bool:
        return bool(self.valid_to and self.valid_to < timezone.localdate())

    @property
    def days_left(self):
        return (self.valid_to - timezone.localdate()).days if self.valid_to else None


class ReviewStep(models.Model):
    """One step of the qualification-review workflow, configured as data.

    Steps run in ``position`` order; a step is decided by a user holding ``permission``.
    """

    class Kind(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        PERIODIC = "periodic", _("Periodic re-review")

    kind = models.CharField(_("review kind"), max_length=16, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=64)
    permission = models.CharField(
        _("permission required"), max_length=100, default="distributors.review_distributor"
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["kind", "position"]
        unique_together = [("kind", "position")]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self):
        return f"{self.get_kind_display()} {self.position}. {self.name}"


class Review(AuditedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    Kind = ReviewStep.Kind

    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    step = models.ForeignKey(
        ReviewStep, verbose_name=_("current step"), null=True, blank=True, on_delete=models.PROTECT
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "kind"], condition=Q(status="pending"), name="one_open_review_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.distributor}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and bool(self.due_date and self.due_date < timezone.localdate())


class ReviewDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    step = models.ForeignKey(ReviewStep, on_delete=models.PROTECT)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]


class Contract(AuditedModel):
    class Type(models.TextChoices):
        DISTRIBUTION = "distribution", _("Distribution agreement")
        AUTHORISATION = "authorisation", _("Brand authorisation")
        FRAMEWORK = "framework", _("Framework agreement")
        SUPPLEMENT = "supplement", _("Supplementary agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        RENEWED = "renewed", _("Renewed")

    TRANSITIONS = {
        Status.DRAFT: {Status.ACTIVE, Status.TERMINATED},
        Status.ACTIVE: {Status.EXPIRED, Status.TERMINATED, Status.RENEWED},
        Status.EXPIRED: {Status.RENEWED},
        Status.TERMINATED: set(),
        Status.RENEWED: set(),
    }

    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=32, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.DISTRIBUTION)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    territory = models.CharField(_("territory"), max_length=255, blank=True)
    product_lines = models.CharField(_("product lines"), max_length=255, blank=True)
    annual_target_amount = models.DecimalField(
        _("annual target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    rebate_terms = models.TextField(_("rebate terms"), blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=128, blank=True)
    deposit_amount = models.DecimalField(_("deposit"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    signed_file = models.FileField(_("signed file"), upload_to=private_upload_path, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-start_date", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="contract_dates_ordered")
        ]

    def __str__(self):
        return self.number

    @property
    def days_left(self):
        return (self.end_date - timezone.localdate()).days
