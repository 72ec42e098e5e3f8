"""Shipments from approved orders, their tracking and proof of delivery."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.core.scoping import TenantManager


class Carrier(models.Model):
    """A logistics company. A carrier integration posts tracking events to the webhook with
    its token (only the hash is stored)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    tracking_url = models.CharField(
        _("tracking URL"), max_length=255, blank=True, help_text=_("Use {number} for the tracking number.")
    )
    webhook_token_hash = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name

    def issue_webhook_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.webhook_token_hash = hashlib.sha256(token.encode()).hexdigest()
        self.save(update_fields=["webhook_token_hash"])
        return token

    def check_webhook_token(self, token: str) -> bool:
        return bool(self.webhook_token_hash) and secrets.compare_digest(
            self.webhook_token_hash, hashlib.sha256(token.encode()).hexdigest()
        )


class Shipment(models.Model):
    class Status(models.TextChoices):
        PICKING = "picking", _("Picking")
        DISPATCHED = "dispatched", _("Dispatched")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PICKING: {Status.DISPATCHED, Status.CANCELLED},
        Status.DISPATCHED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="shipments")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="shipments")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PICKING)
    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="shipments")
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True, db_index=True)
    ship_to = models.CharField(_("ship to"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("receipt confirmed by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        permissions = [("dispatch_shipment", _("Can create and dispatch shipments"))]
        indexes = [models.Index(fields=["status", "delivered_at"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("logistics:detail", args=[self.pk])

    @property
    def tracking_link(self) -> str:
        if self.carrier and self.carrier.tracking_url and self.tracking_number:
            return self.carrier.tracking_url.replace("{number}", self.tracking_number)
        return ""


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT,
                                   related_name="shipment_lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    objects = TenantManager("shipment__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")

    def __str__(self):
        return f"{self.shipment_id}: {self.product_id} × {self.quantity}"


class TrackingEvent(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", _("Entered by staff")
        CARRIER = "carrier", _("Carrier integration")
        IMPORT = "import", _("CSV import")
        SYSTEM = "system", _("System")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events")
    occurred_at = models.DateTimeField(_("time"))
    location = models.CharField(_("location"), max_length=128, blank=True)
    description = models.CharField(_("description"), max_length=255)
    is_delivery = models.BooleanField(_("delivered"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager("shipment__distributor")

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            # The same event posted twice (webhook retry, CSV imported again) is stored once.
            models.UniqueConstraint(fields=["shipment", "occurred_at", "description"], name="tracking_event_once"),
        ]

    def __str__(self):
        return f"{self.shipment_id} {self.occurred_at:%Y-%m-%d %H:%M} {self.description}"


class Discrepancy(models.Model):
    """A distributor reports that what arrived differs from the delivery note."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")

    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT,
                                 related_name="discrepancies")
    distributor = models.ForeignKey("distributors.Distributor", on_delete=models.PROTECT,
                                    related_name="discrepancies")
    description = models.TextField(_("what is wrong"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("delivery discrepancy")
        verbose_name_plural = _("delivery discrepancies")

    def __str__(self):
        return f"{self.shipment_id}: {self.description[:40]}"


class DiscrepancyLine(models.Model):
    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="lines")
    shipment_line = models.ForeignKey(ShipmentLine, verbose_name=_("line"), on_delete=models.PROTECT,
                                      related_name="+")
    received_quantity = models.PositiveIntegerField(_("received quantity"))

    objects = TenantManager("discrepancy__distributor")

    class Meta:
        verbose_name = _("discrepancy line")
        verbose_name_plural = _("discrepancy lines")

    def __str__(self):
        return f"{self.discrepancy_id}: {self.shipment_line_id} = {self.received_quantity}"
