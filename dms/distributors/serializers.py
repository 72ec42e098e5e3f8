"""API shapes for distributors, reviews, qualifications and contracts.

Serializers only shape input and output: they turn public values (a tier's level
number, an adcode, ids) into what the service functions take, and never save anything.
Every write goes through ``dms.distributors.services``.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dms.accounts.models import User

from .models import Contact, Contract, Distributor, Qualification, Review, ReviewDecision, ReviewStep, Tier


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]
        read_only_fields = fields


class ContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=64, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class DistributorSerializer(serializers.ModelSerializer):
    tier = serializers.IntegerField(source="tier.level", read_only=True, help_text=_("Tier level; 1 = first tier."))
    tier_name = serializers.CharField(source="tier.name", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    region = serializers.CharField(source="region_code", read_only=True, help_text=_("Region adcode."))
    region_name = serializers.CharField(read_only=True)
    channel_manager = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Distributor
        fields = [
            "id", "code", "name", "legal_name", "credit_code", "tier", "tier_name", "parent", "region",
            "region_name", "sales_territory", "address", "bank_name", "bank_account", "status", "status_reason",
            "status_changed_at", "channel_manager", "tags", "contacts", "qualification_flag", "next_review_date",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class DistributorWriteSerializer(serializers.Serializer):
    """Input of create (POST) and update (PATCH). Lookups of the related rows run inside
    the request's scope, so a parent outside it is refused like a missing one."""

    name = serializers.CharField(max_length=128)
    legal_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=32, help_text=_("Unified Social Credit Code (18 characters)."))
    tier = serializers.IntegerField(min_value=1, help_text=_("Tier level; 1 = first tier."))
    parent = serializers.IntegerField(required=False, allow_null=True, help_text=_("Parent distributor id."))
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, help_text=_("Region adcode."))
    sales_territory = serializers.CharField(max_length=128, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    bank_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True)
    channel_manager = serializers.IntegerField(required=False, allow_null=True, help_text=_("Staff user id."))
    tags = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    contacts = ContactInputSerializer(many=True, required=False, help_text=_("On create only; the first is primary."))

    def validate_tier(self, value):
        tier = Tier.objects.filter(level=value).first()
        if tier is None:
            raise serializers.ValidationError(_("There is no tier %(level)s.") % {"level": value})
        return tier

    def validate_parent(self, value):
        if value is None:
            return None
        parent = Distributor.objects.filter(pk=value).first()
        if parent is None:
            raise serializers.ValidationError(_("Choose an existing distributor."))
        return parent

    def validate_channel_manager(self, value):
        if value is None:
            return None
        user = User.objects.filter(pk=value, distributor__isnull=True, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("Choose an active staff user."))
        return user

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if "region" in data:
            data["region_code"] = data.pop("region")
        return data


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReviewStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewStep
        fields = ["id", "kind", "position", "name", "permission"]
        read_only_fields = fields


class ReviewDecisionSerializer(serializers.ModelSerializer):
    step = ReviewStepSerializer(read_only=True)
    actor = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewDecision
        fields = ["id", "step", "decision", "comment", "actor", "actor_name", "decided_at"]
        read_only_fields = fields

    def get_actor_name(self, decision) -> str:
        actor = decision.actor
        return (actor.get_full_name() or actor.username) if actor else ""


class ReviewSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    step = ReviewStepSerializer(read_only=True, allow_null=True, help_text=_("The step to decide next."))
    decisions = ReviewDecisionSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    can_decide = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id", "distributor", "distributor_code", "distributor_name", "kind", "status", "step", "due_date",
            "is_overdue", "created_at", "closed_at", "decisions", "can_decide",
        ]
        read_only_fields = fields

    def get_can_decide(self, review) -> bool:
        from .services import can_decide

        request = self.context.get("request")
        return bool(request and review.status == Review.Status.PENDING and not request.user.distributor_id
                    and can_decide(request.user, review))


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    step = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text=_("Id of the step being decided, as read from the review: if the review has moved on "
                    "meanwhile (a double submit, two reviewers at once), the answer is 409 and nothing changes."),
    )


class QualificationSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    is_expired = serializers.BooleanField(read_only=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Qualification
        fields = [
            "id", "distributor", "type", "number", "issuer", "valid_from", "valid_to", "verification_status",
            "verified_at", "verification_comment", "replaces", "original_filename", "has_file", "file_url",
            "is_expired", "days_left", "created_at",
        ]
        read_only_fields = fields

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, obj):
        if not obj.file:
            return None
        return reverse("api_v1:distributor-qualification-file", args=[obj.distributor_id, obj.pk])


class QualificationUploadSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Qualification.Type.choices)
    number = serializers.CharField(max_length=64)
    issuer = serializers.CharField(max_length=128, required=False, allow_blank=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField(required=False, help_text=_("PDF, JPG or PNG."))
    replaces = serializers.IntegerField(required=False, allow_null=True,
                                        help_text=_("Id of the qualification this one replaces."))

    def validate_replaces(self, value):
        if value is None:
            return None
        parent = self.context["distributor"]
        replaced = Qualification.objects.filter(pk=value, distributor=parent).first()
        if replaced is None:
            raise serializers.ValidationError(_("Choose one of this distributor's qualifications."))
        return replaced


class VerifySerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ContractSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=Contract.Type.choices, read_only=True)
    has_file = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    days_left = serializers.IntegerField(read_only=True)
    renewal = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id", "distributor", "number", "type", "status", "start_date", "end_date", "days_left", "territory",
            "product_lines", "annual_target_amount", "rebate_terms", "payment_terms", "deposit_amount", "currency",
            "original_filename", "has_file", "file_url", "previous", "renewal", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_has_file(self, obj) -> bool:
        return bool(obj.signed_file)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, obj):
        if not obj.signed_file:
            return None
        return reverse("api_v1:distributor-contract-file", args=[obj.distributor_id, obj.pk])

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_renewal(self, obj):
        renewal = getattr(obj, "renewal", None) if obj.status == Contract.Status.RENEWED else None
        return renewal.pk if renewal else None


class _ContractTermsSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Contract.Type.choices, required=False)
    territory = serializers.CharField(max_length=255, required=False, allow_blank=True)
    product_lines = serializers.CharField(max_length=255, required=False, allow_blank=True)
    annual_target_amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)
    rebate_terms = serializers.CharField(required=False, allow_blank=True)
    payment_terms = serializers.CharField(max_length=128, required=False, allow_blank=True)
    deposit_amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)
    signed_file = serializers.FileField(required=False, help_text=_("Signed copy: PDF, JPG or PNG."))


class ContractCreateSerializer(_ContractTermsSerializer):
    number = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                   help_text=_("Leave empty to number it automatically."))
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    activate = serializers.BooleanField(required=False, default=False, help_text=_("Activate at once."))


class ContractRenewSerializer(_ContractTermsSerializer):
    """Anything left out is copied from the contract being renewed; the new period
    defaults to the year after it."""

    number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
