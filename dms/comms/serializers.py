"""API shapes for announcements and message threads (I/O only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Announcement, Message, Thread


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class AnnouncementSerializer(serializers.ModelSerializer):
    tiers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    provinces = serializers.ListField(source="province_codes", child=serializers.CharField(), read_only=True)
    distributors = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "body_format", "pinned", "status", "publish_at", "expires_at", "target_all",
                  "tiers", "provinces", "distributors", "attachments", "is_read", "created_at", "updated_at"]
        read_only_fields = fields

    def get_distributors(self, announcement) -> list[int]:
        # Distributor's scoped manager: only the caller's own (or his managed) distributors are named.
        return [d.pk for d in announcement.distributors.all()]

    def get_is_read(self, announcement) -> bool | None:
        return getattr(announcement, "is_read", None)


class AnnouncementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    body_format = serializers.ChoiceField(choices=Announcement.Format.choices, default=Announcement.Format.PLAIN)
    pinned = serializers.BooleanField(default=False)
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    target_all = serializers.BooleanField(default=True)
    tiers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    provinces = serializers.ListField(child=serializers.CharField(max_length=2), required=False, default=list,
                                      help_text=_("Province codes (first two digits of a region code)."))
    distributors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "thread", "author", "author_name", "from_brand", "body", "attachments", "created_at"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return message.author.get_full_name() or message.author.username if message.author else ""


class ThreadSerializer(serializers.ModelSerializer):
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    order_number = serializers.SerializerMethodField()
    shipment_number = serializers.SerializerMethodField()
    unread = serializers.IntegerField(read_only=True)
    messages_url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = ["id", "distributor", "distributor_name", "subject", "order", "order_number", "shipment",
                  "shipment_number", "status", "unread", "created_at", "last_message_at", "closed_at",
                  "messages_url"]
        read_only_fields = fields

    def get_order_number(self, thread) -> str | None:
        return thread.order.number if thread.order_id else None

    def get_shipment_number(self, thread) -> str | None:
        return thread.shipment.number if thread.shipment_id else None

    def get_messages_url(self, thread) -> str:
        return reverse("api_v1:thread-messages", args=[thread.pk])


class ThreadCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    distributor = serializers.IntegerField(required=False, help_text=_("Staff only: the distributor to write to."))
    order = serializers.IntegerField(required=False, allow_null=True)
    shipment = serializers.IntegerField(required=False, allow_null=True)


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
