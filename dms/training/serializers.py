"""API shapes for courses, sessions, quizzes, completions and training records (I/O only).
Question options never carry whether they are correct: scoring happens on the server."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Completion, Course, Material, Option, Question, QuizAttempt, Registration, TrainingSession


class MaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "kind", "title", "url", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, obj):
        return reverse("training_portal:material", args=[obj.pk]) if obj.file else None


class SessionSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "mode", "place", "starts_at", "ends_at", "capacity", "registered_count", "seats_left"]
        read_only_fields = fields


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "text"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "kind", "text", "options"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    # Plain strings: enum components named "status"/"category" would collide with other apps'.
    category = serializers.CharField(read_only=True, help_text="product, sales, service, compliance or other")
    status = serializers.CharField(read_only=True, help_text="draft or published")
    target_tiers = serializers.SerializerMethodField()
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "description", "category", "status", "target_tiers", "requires_session",
                  "pass_mark", "max_attempts", "sessions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_target_tiers(self, obj):
        return [t.level for t in obj.target_tiers.all()]


class CourseDetailSerializer(CourseSerializer):
    materials = MaterialSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "materials", "questions"]
        read_only_fields = fields


class SessionChoiceSerializer(serializers.Serializer):
    session = serializers.IntegerField()


class RegistrationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="registered, cancelled, attended or absent")

    class Meta:
        model = Registration
        fields = ["id", "session", "user", "status", "registered_at"]
        read_only_fields = fields


class QuizAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Question id → the chosen option ids (one for single choice and true/false).")


class CompletionSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    user_name = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()
    valid = serializers.BooleanField(source="is_valid", read_only=True)

    class Meta:
        model = Completion
        fields = ["id", "course", "course_title", "user", "user_name", "distributor", "score", "completed_at",
                  "certificate_number", "valid", "certificate_url"]
        read_only_fields = fields

    def get_user_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_certificate_url(self, obj):
        if not obj.is_valid:
            return None
        request = self.context.get("request")
        portal = bool(request and request.user.distributor_id)
        return reverse("training_portal:certificate" if portal else "training:certificate", args=[obj.pk])


class QuizResultSerializer(serializers.ModelSerializer):
    completion = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = ["id", "course", "number", "score", "correct_count", "question_count", "passed", "submitted_at",
                  "completion"]
        read_only_fields = fields

    @extend_schema_field(CompletionSerializer(allow_null=True))
    def get_completion(self, obj):
        completion = Completion.objects.filter(course_id=obj.course_id, user_id=obj.user_id).first()
        return CompletionSerializer(completion, context=self.context).data if completion else None


class RecordCourseSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    status = serializers.CharField(help_text="completed, in_progress or not_started")
    best_score = serializers.IntegerField(allow_null=True)


class RecordMandateSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="course.pk")
    title = serializers.CharField(source="course.title")
    deadline = serializers.DateField()
    done = serializers.BooleanField()
    overdue = serializers.BooleanField()
    people = serializers.IntegerField()


class TrainingRecordSerializer(serializers.Serializer):
    distributor = serializers.IntegerField(source="distributor.pk")
    distributor_name = serializers.CharField(source="distributor.name")
    courses = RecordCourseSerializer(source="record.rows", many=True)
    mandatory = RecordMandateSerializer(source="record.mandates", many=True)
    certificates = CompletionSerializer(source="record.completions", many=True)
    sessions_attended = serializers.IntegerField(source="record.counts.attended")


class RecordSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.IntegerField(source="tier.level")
    courses_completed = serializers.IntegerField(source="n_courses")
    certificates = serializers.IntegerField(source="n_completions")
