"""Products, categories, price lists and promotions.

The price a distributor pays for a product on a day is resolved in this order
(``dms.catalog.pricing``):

1. an item in an active price list for that distributor, effective that day;
2. an item in an active price list for the distributor's tier, effective that day;
3. an item in the active base price list effective that day;
4. the product's own ``base_price``.

Within one level, the list with the latest ``valid_from`` wins (ties: the higher id).
Promotions are then applied to the resolved price; a line gets the one promotion that
makes it cheapest.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.audit.mixins import AuditedModel

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def product_image_path(instance, filename):
    return f"products/{uuid.uuid4().hex}{filename[filename.rfind('.'):][:8] if '.' in filename else ''}"


class Category(models.Model):
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")]

    def __str__(self):
        return self.path

    @property
    def path(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class Product(AuditedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("catalog", "Active")
        DISCONTINUED = "discontinued", _("Discontinued")

    sku = models.CharField(_("SKU"), max_length=32, unique=True)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=128)
    specification = models.CharField(_("specification"), max_length=128, blank=True)
    unit = models.CharField(_("unit"), max_length=16)
    pack_size = models.PositiveIntegerField(_("pack size"), default=1, validators=[MinValueValidator(1)])
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    brand = models.CharField(_("brand"), max_length=64, blank=True)
    image = models.ImageField(_("image"), upload_to=product_image_path, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    base_price = models.DecimalField(
        _("base price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.13"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    moq = models.PositiveIntegerField(_("minimum order quantity"), default=1, validators=[MinValueValidator(1)])
    multiple = models.PositiveIntegerField(_("order multiple"), default=1, validators=[MinValueValidator(1)])
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [("import_product", _("Can import products and prices from Excel"))]
        indexes = [models.Index(fields=["status", "category"]), models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def quantity_error(self, quantity: int):
        """A translated message when ``quantity`` breaks the MOQ or the multiple, else None."""
        if quantity < self.moq:
            return _("%(sku)s: the minimum order quantity is %(moq)s.") % {"sku": self.sku, "moq": self.moq}
        if quantity % self.multiple:
            return _("%(sku)s: order in multiples of %(multiple)s.") % {"sku": self.sku, "multiple": self.multiple}
        return None


class PriceList(AuditedModel):
    class Kind(models.TextChoices):
        BASE = "base", _("Base price")
        TIER = "tier", _("Tier price")
        DISTRIBUTOR = "distributor", _("Distributor price")

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    tier = models.ForeignKey(
        "distributors.Tier", verbose_name=_("tier"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="price_lists",
    )
    distributor = models.ForeignKey(
        "distributors.Distributor", verbose_name=_("distributor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="price_lists",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "-valid_from", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="base", tier__isnull=True, distributor__isnull=True)
                    | Q(kind="tier", tier__isnull=False, distributor__isnull=True)
                    | Q(kind="distributor", tier__isnull=True, distributor__isnull=False)
                ),
                name="pricelist_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def audit_distributor_id(self):
        return self.distributor_id


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(
        _("price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="pricelistitem_unique")]
        indexes = [models.Index(fields=["product", "price_list"])]

    def __str__(self):
        return f"{self.price_list}: {self.product_id} = {self.price}"


class Promotion(AuditedModel):
    class Rule(models.TextChoices):
        PERCENT_OFF = "percent_off", _("Percentage off")
        FIXED_PRICE = "fixed_price", _("Fixed price")
        BUY_N_GET_M = "buy_n_get_m", _("Buy N get M free")

    name = models.CharField(_("name"), max_length=64)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    # percent_off: the percentage (e.g. 10 = 10 % off); fixed_price: the unit price.
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    buy_quantity = models.PositiveIntegerField(_("buy N"), default=0)
    free_quantity = models.PositiveIntegerField(_("get M free"), default=0)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    products = models.ManyToManyField(Product, verbose_name=_("products"), related_name="promotions")
    tiers = models.ManyToManyField(
        "distributors.Tier", verbose_name=_("tiers"), blank=True, related_name="promotions",
        help_text=_("Leave empty for every tier."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="promotion_period"),
        ]

    def __str__(self):
        return self.name

    def line_amount(self, unit_price: Decimal, quantity: int) -> Decimal:
        """What ``quantity`` units at ``unit_price`` cost under this promotion."""
        if self.rule == self.Rule.PERCENT_OFF:
            return to_money(unit_price * quantity * (Decimal(100) - min(self.value, Decimal(100))) / Decimal(100))
        if self.rule == self.Rule.FIXED_PRICE:
            return to_money(min(self.value, unit_price) * quantity)
        if self.rule == self.Rule.BUY_N_GET_M and self.buy_quantity and self.free_quantity:
            free = (quantity // (self.buy_quantity + self.free_quantity)) * self.free_quantity
            return to_money(unit_price * (quantity - free))
        return to_money(unit_price * quantity)
