"""API shapes for service tickets and their conversation (I/O only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Priority, Ticket, TicketAttachment, TicketMessage, TicketType


class TicketAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "name", "size", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("api_v1:ticket-attachment", args=[attachment.ticket_id, attachment.pk])


class TicketMessageSerializer(serializers.ModelSerializer):
    internal = serializers.BooleanField(read_only=True)
    author = serializers.SerializerMethodField()
    attachments = TicketAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "kind", "internal", "from_distributor", "author", "body", "created_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message):
        if message.author is None:
            return None
        return message.author.get_full_name() or message.author.username


class TicketSerializer(serializers.ModelSerializer):
    order_number = serializers.SerializerMethodField()
    shipment_number = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    type = serializers.ChoiceField(choices=TicketType.choices, read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "distributor", "type", "subject", "description", "priority", "status", "order",
                  "order_number", "shipment", "shipment_number", "product", "batch_number", "assignee",
                  "assignee_name", "created_at", "updated_at", "first_response_due_at", "first_response_at",
                  "resolution_due_at", "resolved_at", "closed_at", "resolution", "rating", "rating_comment",
                  "rated_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_order_number(self, ticket):
        return ticket.order.number if ticket.order_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_shipment_number(self, ticket):
        return ticket.shipment.number if ticket.shipment_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee_name(self, ticket):
        return (ticket.assignee.get_full_name() or ticket.assignee.username) if ticket.assignee_id else None

    @extend_schema_field(TicketAttachmentSerializer(many=True))
    def get_attachments(self, ticket):
        """The files raised with the ticket (those of messages come with the messages)."""
        return TicketAttachmentSerializer([a for a in ticket.attachments.all() if a.message_id is None], many=True).data


class TicketCreateSerializer(serializers.Serializer):
    distributor = serializers.IntegerField(required=False, help_text=_("Staff only: the distributor's id."))
    type = serializers.ChoiceField(choices=TicketType.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    order = serializers.IntegerField(required=False, allow_null=True)
    shipment = serializers.IntegerField(required=False, allow_null=True)
    product = serializers.IntegerField(required=False, allow_null=True)
    batch_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                        help_text=_("multipart/form-data only: PDF, JPG or PNG files."))


class TicketMessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
    internal = serializers.BooleanField(default=False, help_text=_(
        "Staff only: an internal note the distributor never sees. A distributor sending true gets 403."))
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
