"""API shapes for visits and their actions (I/O only). Distributor users get
``PortalVisitSerializer``, which has no internal notes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Visit, VisitAction


class VisitActionSerializer(serializers.ModelSerializer):
    visit_date = serializers.DateField(source="visit.visit_date", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = VisitAction
        fields = ["id", "visit", "visit_date", "description", "owner_type", "owner_user", "due_date", "status",
                  "is_overdue", "done_at", "done_by", "created_at"]
        read_only_fields = fields


class PortalVisitSerializer(serializers.ModelSerializer):
    actions = VisitActionSerializer(many=True, read_only=True)
    manager_name = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "distributor", "status", "type", "planned_date", "visit_date", "manager", "manager_name",
                  "participants", "staff_participants", "topics", "problems", "actions", "completed_at"]
        read_only_fields = fields

    def get_manager_name(self, visit) -> str:
        return (visit.manager.get_full_name() or visit.manager.username) if visit.manager else ""


class VisitSerializer(PortalVisitSerializer):
    """The staff view: everything, internal notes included."""

    is_overdue = serializers.BooleanField(read_only=True)

    class Meta(PortalVisitSerializer.Meta):
        fields = [*PortalVisitSerializer.Meta.fields, "internal_notes", "cancel_reason", "is_overdue", "created_at",
                  "updated_at"]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    distributor = serializers.IntegerField()
    planned_date = serializers.DateField()
    type = serializers.ChoiceField(choices=Visit.Type.choices, default=Visit.Type.ON_SITE)
    manager = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=_("Staff user id; default: the distributor's channel manager."))
    topics = serializers.CharField(required=False, allow_blank=True, default="")


class VisitUpdateSerializer(serializers.Serializer):
    planned_date = serializers.DateField(required=False)
    visit_date = serializers.DateField(required=False, help_text=_("Completed visits only."))
    type = serializers.ChoiceField(choices=Visit.Type.choices, required=False)
    manager = serializers.IntegerField(required=False)
    participants = serializers.CharField(required=False, allow_blank=True, max_length=255)
    staff_participants = serializers.ListField(child=serializers.IntegerField(), required=False)
    topics = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if "staff_participants" in data:
            data["staff_participant_ids"] = data.pop("staff_participants")
        if "manager" in data:
            data["manager_id"] = data.pop("manager")
        return data


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=255)
    owner_type = serializers.ChoiceField(choices=VisitAction.Owner.choices, default=VisitAction.Owner.DISTRIBUTOR)
    owner_user = serializers.IntegerField(required=False, allow_null=True,
                                         help_text=_("Staff user id; required when owner_type is staff."))
    due_date = serializers.DateField(required=False, allow_null=True)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["owner_user_id"] = value.pop("owner_user", None)
        return value


class VisitCompleteSerializer(serializers.Serializer):
    visit_date = serializers.DateField()
    type = serializers.ChoiceField(choices=Visit.Type.choices, required=False)
    participants = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    staff_participants = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    topics = serializers.CharField(required=False, allow_blank=True, default="")
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    internal_notes = serializers.CharField(required=False, allow_blank=True, default="")
    actions = ActionInputSerializer(many=True, required=False, default=list)

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["staff_participant_ids"] = data.pop("staff_participants")
        return data


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
