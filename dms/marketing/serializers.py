"""API shapes for market feedback and marketing materials (I/O only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dms.core import regions

from .models import Feedback, FeedbackAttachment, Material


class FeedbackAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackAttachment
        fields = ["id", "original_name", "kind", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("api_v1:feedback-attachment-detail", args=[attachment.pk])


class FeedbackSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    product_name = serializers.SerializerMethodField()
    region_name = serializers.CharField(read_only=True)
    action_tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    attachments = FeedbackAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "number", "distributor", "distributor_code", "category", "product", "product_name", "title",
                  "details", "rating", "region_code", "region_name", "competitor_name", "competitor_price", "status",
                  "priority", "action_tags", "response", "responded_at", "attachments", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_product_name(self, feedback):
        return feedback.product.name if feedback.product_id else None


class FeedbackCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Feedback.Category.choices)
    title = serializers.CharField(max_length=120)
    details = serializers.CharField()
    rating = serializers.IntegerField(min_value=1, max_value=5,
                                      help_text=_("1 to 5: how important this is to the distributor."))
    product = serializers.IntegerField(required=False, allow_null=True, help_text=_("Product id (optional)."))
    region_code = serializers.CharField(max_length=6, required=False, allow_blank=True,
                                        help_text=_("Province or city code; the distributor's region when left out."))
    competitor_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    competitor_price = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False,
                                                allow_null=True, coerce_to_string=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                        help_text=_("Up to 5 JPG, PNG or PDF files (multipart/form-data)."))

    def validate_region_code(self, value):
        if value and value not in dict(regions.path(value)):
            raise serializers.ValidationError(_("Unknown region."))
        return value


class MarketingMaterialSerializer(serializers.ModelSerializer):
    tiers = serializers.SlugRelatedField(slug_field="level", many=True, read_only=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField(), read_only=True)
    download_url = serializers.SerializerMethodField()
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "title", "description", "category", "tags", "kind", "size", "has_file", "link", "tiers",
                  "is_published", "download_count", "download_url", "created_at", "updated_at"]
        read_only_fields = fields

    def get_download_url(self, material) -> str:
        return reverse("api_v1:material-download", args=[material.pk])

    def get_has_file(self, material) -> bool:
        return bool(material.file)
