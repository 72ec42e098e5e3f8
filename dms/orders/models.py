"""Orders, their lines, the timeline of events, the approval pipeline and returns."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dms.accounts.roles import Role
from dms.core.scoping import TenantManager

from .numbers import OrderNumber


class ApprovalStep(models.Model):
    """One step of the manual review pipeline (order → finance → warehouse review); an
    order that the auto-approval rules do not pass goes through the enabled steps in order."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("order approval step")
        verbose_name_plural = _("order approval steps")

    def __str__(self):
        return self.name


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CREDIT_HOLD = "credit_hold", _("Credit hold")
        APPROVED = "approved", _("Approved")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.APPROVED, Status.CREDIT_HOLD, Status.REJECTED, Status.CANCELLED, Status.DRAFT},
        Status.CREDIT_HOLD: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: {Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELLED},
        Status.PARTIALLY_SHIPPED: {Status.SHIPPED},
        Status.SHIPPED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
    }
    # Statuses in which stock is held for the order.
    RESERVING = {Status.SUBMITTED, Status.APPROVED, Status.PARTIALLY_SHIPPED}
    # Editable by the distributor (an edit sends the order through the checks again).
    EDITABLE = {Status.DRAFT, Status.SUBMITTED, Status.CREDIT_HOLD}

    number = models.CharField(_("number"), max_length=24, unique=True, db_default=OrderNumber())
    # Indexed by (distributor, -created_at) below: a second index on the column alone would only slow inserts.
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="orders", db_index=False)
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("warehouse"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    current_step = models.ForeignKey(ApprovalStep, verbose_name=_("waiting for"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal_amount = models.DecimalField(_("subtotal"), max_digits=18, decimal_places=2, default=0)
    discount_amount = models.DecimalField(_("discount"), max_digits=18, decimal_places=2, default=0)
    total_amount = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [
            ("approve_order", _("Can approve and reject orders")),
            ("order_on_behalf", _("Can place orders for a distributor")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False), name="order_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["distributor", "-created_at"]),
            # The back-office list (newest first, all distributors) pages through this one.
            models.Index(fields=["-created_at", "-id"], name="order_newest_first"),
            models.Index(fields=["status", "current_step"]),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.pk])

    def can_change_to(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class OrderLine(models.Model):
    # Indexed by the unique (order, product) constraint.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="order_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    discount_amount = models.DecimalField(_("discount"), max_digits=18, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    promotion = models.ForeignKey("catalog.Promotion", verbose_name=_("promotion"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    objects = TenantManager("order__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="orderline_one_per_product"),
            models.CheckConstraint(condition=Q(shipped_quantity__lte=models.F("quantity")),
                                   name="orderline_shipped_within_quantity"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.product_id} × {self.quantity}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped_quantity


class OrderEvent(models.Model):
    """The order's timeline, shown to the distributor and to staff."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        STATUS = "status", _("Status changed")
        STEP = "step", _("Review step passed")
        SHIPMENT = "shipment", _("Shipment")
        DELIVERY = "delivery", _("Delivery")
        RETURN = "return", _("Return")
        NOTE = "note", _("Note")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    # Either what a person typed (a reason, a note), shown as typed, or — when ``params`` is
    # set — a system message kept untranslated and rendered in the reader's language.
    message = models.CharField(_("message"), max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantManager("order__distributor")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.to_status}"

    @property
    def text(self) -> str:
        """The message in the active language."""
        return render_message(self.message, self.params)

    @property
    def from_label(self) -> str:
        return Order.Status(self.from_status).label if self.from_status in Order.Status.values else self.from_status

    @property
    def to_label(self) -> str:
        return Order.Status(self.to_status).label if self.to_status in Order.Status.values else self.to_status


class ReturnRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.REQUESTED: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: {Status.RECEIVED},
        Status.REJECTED: set(),
        Status.RECEIVED: set(),
        Status.CANCELLED: set(),
    }

    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("Damaged")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        QUALITY = "quality", _("Quality problem")
        OVERSTOCK = "overstock", _("Overstock")
        OTHER = "other", _("Other")

    number = models.CharField(_("number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    description = models.TextField(_("description"), blank=True)
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT,
                                   related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    objects = TenantManager("request__distributor")

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")

    def __str__(self):
        return f"{self.request_id}: {self.order_line_id} × {self.quantity}"


def render_message(message: str, params: dict) -> str:
    """A timeline message in the active language: typed text (no ``params``) as typed; a
    system message (a msgid with its ``params``) translated, values that are themselves
    msgids (a status label) too, and the optional typed ``note`` appended."""
    if not params:
        return message
    values = {k: gettext(v) if isinstance(v, str) else v for k, v in params.items() if k not in ("note", "_")}
    try:
        text = gettext(message) % values
    except (KeyError, TypeError, ValueError):
        text = message
    note = params.get("note")
    return f"{text} {note}" if note else text
