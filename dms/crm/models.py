"""The distributors' own customers (retailers, stores, end clients), their contacts,
needs and follow-up history.

Every row belongs to one distributor and is reached only through the scoped managers:
a distributor sees its own customers, the brand sees them per ``crm.view_customer_detail``
(see ``docs/crm.md``).
"""

import re
import unicodedata

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel
from dms.core import regions
from dms.core.scoping import TenantManager

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D+")


def normalise_name(value: str) -> str:
    """Full-width/half-width, case, spaces and punctuation do not make two names differ."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", value or "").casefold())


def normalise_phone(value: str) -> str:
    """Digits only, without the country code: "+86 138-0013-8000" equals "13800138000"."""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class CustomerTag(models.Model):
    """A distributor's own label for its customers ("KA", "社区店")."""

    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="customer_tags")
    name = models.CharField(_("name"), max_length=32)

    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        constraints = [models.UniqueConstraint(fields=["distributor", "name"], name="crm_tag_unique_per_distributor")]

    def __str__(self):
        return self.name


class Customer(AuditedModel):
    class Type(models.TextChoices):
        RETAILER = "retailer", _("Retailer")
        STORE = "store", _("Store")
        WHOLESALER = "wholesaler", _("Wholesaler")
        END_CLIENT = "end_client", _("End client")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        LOST = "lost", _("Lost")

    TRANSITIONS = {
        Status.PROSPECT: {Status.ACTIVE, Status.DORMANT, Status.LOST},
        Status.ACTIVE: {Status.DORMANT, Status.LOST},
        Status.DORMANT: {Status.ACTIVE, Status.LOST},
        Status.LOST: {Status.PROSPECT, Status.ACTIVE},
    }

    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(_("name"), max_length=128)
    name_key = models.CharField(max_length=128, editable=False, db_index=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.RETAILER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROSPECT)
    region_code = models.CharField(_("region"), max_length=6, blank=True, validators=[regions.validate_region])
    address = models.CharField(_("address"), max_length=255, blank=True)
    tags = models.ManyToManyField(CustomerTag, verbose_name=_("tags"), blank=True, related_name="customers")
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("The distributor user who looks after this customer."))
    last_order_date = models.DateField(_("last order"), null=True, blank=True)
    last_contact_date = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    next_follow_up_date = models.DateField(_("next follow-up"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("view_customer_detail", _("Can see individual customers of distributors"))]
        indexes = [models.Index(fields=["distributor", "status"]), models.Index(fields=["region_code"]),
                   models.Index(fields=["next_follow_up_date"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = normalise_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("crm_portal:detail", args=[self.pk])

    @property
    def region_name(self) -> str:
        return regions.display_name(self.region_code)

    @property
    def last_activity_date(self):
        dates = [d for d in (self.last_contact_date, self.last_order_date) if d]
        return max(dates) if dates else None


class CustomerContact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("job title"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_key = models.CharField(max_length=32, editable=False, db_index=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    objects = TenantManager("customer__distributor")

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")

    def __str__(self):
        return f"{self.name} {self.phone}".strip()

    def save(self, *args, **kwargs):
        self.phone_key = normalise_phone(self.phone)
        super().save(*args, **kwargs)


class FollowUp(AuditedModel):
    class Channel(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        WECHAT = "wechat", _("WeChat")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        ORDER = "order", _("Order placed")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="follow_ups")
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    next_date = models.DateField(_("next follow-up date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)

    objects = TenantManager("customer__distributor")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["next_date", "reminded_at"])]

    def __str__(self):
        return f"{self.customer_id} {self.date} {self.get_channel_display()}"

    @property
    def audit_distributor_id(self):
        return self.customer.distributor_id


class CustomerNeed(AuditedModel):
    class Category(models.TextChoices):
        PRODUCT = "product", _("Product")
        PRICE = "price", _("Price")
        DELIVERY = "delivery", _("Delivery")
        SERVICE = "service", _("After-sales service")
        TRAINING = "training", _("Training")
        MARKETING = "marketing", _("Marketing support")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        DROPPED = "dropped", _("Dropped")

    TRANSITIONS = {
        Status.OPEN: {Status.MET, Status.DROPPED},
        Status.MET: {Status.OPEN},
        Status.DROPPED: {Status.OPEN},
    }

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="needs")
    need = models.CharField(_("need"), max_length=255)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.PRODUCT)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TenantManager("customer__distributor")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer need")
        verbose_name_plural = _("customer needs")

    def __str__(self):
        return self.need

    @property
    def audit_distributor_id(self):
        return self.customer.distributor_id
