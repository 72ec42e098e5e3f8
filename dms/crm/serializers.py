"""API shapes of customers, their contacts, follow-ups and needs (I/O only)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Customer, CustomerContact, CustomerNeed, FollowUp


class CustomerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerContact
        fields = ["name", "title", "phone", "email", "is_primary"]
        extra_kwargs = {"name": {"required": True}}


class CustomerNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerNeed
        fields = ["id", "need", "category", "priority", "status", "created_at", "closed_at"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    region_name = serializers.CharField(read_only=True)
    contacts = CustomerContactSerializer(many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "distributor", "distributor_code", "name", "type", "status", "region_code", "region_name",
                  "address", "tags", "notes", "owner", "contacts", "last_order_date", "last_contact_date",
                  "next_follow_up_date", "created_at", "updated_at"]
        read_only_fields = fields


class CustomerDetailSerializer(CustomerSerializer):
    needs = CustomerNeedSerializer(many=True, read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "needs"]
        read_only_fields = fields


class CustomerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    type = serializers.ChoiceField(choices=Customer.Type.choices, required=False)
    status = serializers.ChoiceField(choices=Customer.Status.choices, required=False)
    region_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    owner = serializers.IntegerField(required=False, allow_null=True,
                                     help_text=_("Id of a user of the distributor who looks after the customer."))
    last_order_date = serializers.DateField(required=False, allow_null=True)
    contacts = CustomerContactSerializer(many=True, required=False,
                                 help_text=_("The full list of contacts; on update it replaces the list."))
    allow_duplicate = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Save even when a customer with the same name or phone exists (otherwise 409)."))


class CustomerFollowUpSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = FollowUp
        fields = ["id", "date", "channel", "summary", "next_step", "next_date", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]


class CustomerSummaryRowSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class CustomerDistributorRowSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()
    code = serializers.CharField()
    count = serializers.IntegerField()
    active = serializers.IntegerField()


class CustomerSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    statuses = CustomerSummaryRowSerializer(many=True)
    types = CustomerSummaryRowSerializer(many=True)
    activity = CustomerSummaryRowSerializer(many=True)
    provinces = CustomerSummaryRowSerializer(many=True)
    open_needs = serializers.IntegerField()
    due_follow_ups = serializers.IntegerField()
    distributors = CustomerDistributorRowSerializer(many=True)
