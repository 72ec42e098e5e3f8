"""API shapes for products, prices and price lists (I/O only: no writes here)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Category, PriceList, Product, Promotion
from .pricing import price_for

MONEY = {"max_digits": 18, "decimal_places": 2}


class ProductSerializer(serializers.ModelSerializer):
    category_name = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField(
        help_text=_("Distributor users: the unit price resolved for their distributor today (null for staff)."))

    class Meta:
        model = Product
        fields = ["id", "sku", "barcode", "name", "specification", "unit", "pack_size", "category", "category_name",
                  "brand", "status", "base_price", "vat_rate", "moq", "multiple", "description", "price",
                  "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_category_name(self, product):
        return product.category.name if product.category_id else None

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_price(self, product):
        if not hasattr(product, "distributor_price"):
            return None
        return str(price_for(product)[0])


class ProductWriteSerializer(serializers.Serializer):
    """Create: sku, name, unit and base_price are required. Change (PATCH): any subset."""

    sku = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=128)
    unit = serializers.CharField(max_length=16)
    base_price = serializers.DecimalField(**MONEY, min_value=0)
    barcode = serializers.CharField(max_length=32, required=False, allow_blank=True)
    specification = serializers.CharField(max_length=128, required=False, allow_blank=True)
    pack_size = serializers.IntegerField(min_value=1, required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    brand = serializers.CharField(max_length=64, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Product.Status.choices, required=False)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, required=False)
    moq = serializers.IntegerField(min_value=1, required=False)
    multiple = serializers.IntegerField(min_value=1, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class PromotionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promotion
        fields = ["id", "name", "rule", "value", "buy_quantity", "free_quantity", "starts_at", "ends_at"]
        read_only_fields = fields


class ProductPriceSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    distributor = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    source = serializers.ChoiceField(
        choices=["distributor", "tier", "base", "product"],
        help_text=_("Where the price comes from: the distributor's price list, its tier's, the base price list, "
                    "or the product's own base price."))
    currency = serializers.CharField()
    quantity = serializers.IntegerField(help_text=_("The quantity priced (?quantity=, default the MOQ)."))
    amount = serializers.DecimalField(**MONEY, help_text=_("What that quantity costs with the best promotion."))
    promotion = serializers.IntegerField(allow_null=True, help_text=_("The promotion that gives that amount."))
    promotions = PromotionSerializer(many=True, help_text=_("Promotions running now for this product and tier."))


class PriceListSerializer(serializers.ModelSerializer):
    tier_name = serializers.SerializerMethodField()
    distributor_name = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "kind", "tier", "tier_name", "distributor", "distributor_name", "valid_from",
                  "valid_to", "is_active", "currency", "item_count", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tier_name(self, pl):
        return str(pl.tier) if pl.tier_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_distributor_name(self, pl):
        return pl.distributor.name if pl.distributor_id else None


class PriceListItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    price = serializers.DecimalField(**MONEY)


class PriceListDetailSerializer(PriceListSerializer):
    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta(PriceListSerializer.Meta):
        fields = [*PriceListSerializer.Meta.fields, "items"]
        read_only_fields = fields
