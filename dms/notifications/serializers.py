"""API shapes for in-app notifications."""

from rest_framework import serializers

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "category", "title", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class MarkedSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
