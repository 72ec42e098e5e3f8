"""Warehouses, stock levels and the append-only stock-move ledger.

``StockLevel.on_hand`` and ``StockLevel.reserved`` are caches of the ledger: every change
to them is made by ``dms.inventory.services`` in the same transaction as the
``StockMove`` rows that explain it, so for every warehouse and product
``on_hand == Σ on_hand_delta`` and ``reserved == Σ reserved_delta`` (checked by
``manage.py check_stock`` and by the property-based tests). The database refuses
negative values and more reserved than on hand.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel


class Warehouse(AuditedModel):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Province codes (two digits, e.g. "44") this warehouse serves; orders from a
    # distributor in one of them are fulfilled here, others from the default warehouse.
    provinces = models.JSONField(_("provinces served"), default=list, blank=True)
    is_default = models.BooleanField(_("default warehouse"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_warehouse")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="levels")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stocklevel_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_within_on_hand"),
        ]
        indexes = [models.Index(fields=["product", "warehouse"])]

    def __str__(self):
        return f"{self.warehouse_id}/{self.product_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMove(models.Model):
    """One line of the ledger. Never updated or deleted."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")
        SHIPMENT = "shipment", _("Shipment")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RETURN = "return", _("Return")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="moves")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="stock_moves")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    # The document that caused the move: an order, shipment, return, receipt, count or transfer number.
    reference = models.CharField(_("reference"), max_length=32, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [models.Index(fields=["product", "warehouse", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.product_id}@{self.warehouse_id} {self.on_hand_delta:+}/{self.reserved_delta:+}"


class ReorderRule(AuditedModel):
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="reorder_rules")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="reorder_rules")
    reorder_point = models.PositiveIntegerField(_("reorder point"))
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    target_level = models.PositiveIntegerField(_("target level"))
    lead_time_days = models.PositiveIntegerField(_("supplier lead time (days)"), default=7)
    velocity_days = models.PositiveIntegerField(
        _("sales window (days)"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Sales velocity is measured over this many past days."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="reorderrule_unique"),
            models.CheckConstraint(condition=Q(target_level__gte=F("reorder_point")), name="reorderrule_target"),
        ]

    def __str__(self):
        return f"{self.warehouse_id}/{self.product_id} ≤ {self.reorder_point}"


class ReplenishmentSuggestion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ORDERED = "ordered", _("Ordered")
        DISMISSED = "dismissed", _("Dismissed")

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="suggestions")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="suggestions")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    quantity = models.PositiveIntegerField(_("suggested quantity"))
    available = models.IntegerField(_("available when raised"))
    daily_velocity = models.DecimalField(_("daily sales"), max_digits=12, decimal_places=2)
    stockout_date = models.DateField(_("estimated stock-out"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=255)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("replenishment suggestion")
        verbose_name_plural = _("replenishment suggestions")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], condition=Q(status="open"),
                                    name="one_open_suggestion"),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} +{self.quantity}"


class LowStockAlert(models.Model):
    """Raised once each time available falls below the reorder point; closed when it
    rises to the reorder point again."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="alerts")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="alerts")
    available = models.IntegerField(_("available when raised"))
    reorder_point = models.PositiveIntegerField(_("reorder point"))
    stockout_date = models.DateField(_("estimated stock-out"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("low-stock warning")
        verbose_name_plural = _("low-stock warnings")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], condition=Q(resolved_at__isnull=True),
                                    name="one_open_low_stock_alert"),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id} < {self.reorder_point}"


class StockDocument(models.Model):
    """A goods receipt, a stock count or a transfer between warehouses: the paper trail
    behind a batch of stock moves (they carry its number as their reference)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Goods receipt")
        COUNT = "count", _("Stock count")
        TRANSFER = "transfer", _("Transfer")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="documents")
    to_warehouse = models.ForeignKey(Warehouse, verbose_name=_("to warehouse"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="incoming_documents")
    supplier = models.CharField(_("supplier"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock document")
        verbose_name_plural = _("stock documents")

    def __str__(self):
        return self.number


class StockDocumentLine(models.Model):
    document = models.ForeignKey(StockDocument, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    # Receipt and transfer: the quantity moved. Count: the quantity counted.
    quantity = models.IntegerField(_("quantity"))
    # Count only: what the books said before the count (the adjustment is the difference).
    expected = models.IntegerField(_("expected"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock document line")
        verbose_name_plural = _("stock document lines")

    def __str__(self):
        return f"{self.document_id}: {self.product_id} × {self.quantity}"
