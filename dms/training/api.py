"""REST API of training: the course catalogue with sessions (a distributor sees the
published courses open to its tier; another's tier's course is a 404), registering for a
session, submitting a quiz (scored on the server; the answers never leave it), the caller's
completions, and each distributor's training record (scoped: another's is a 404)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.distributors.models import Distributor

from . import selectors, services
from .models import Completion, Course, TrainingSession
from .serializers import (
    CompletionSerializer,
    CourseDetailSerializer,
    CourseSerializer,
    QuizAnswersSerializer,
    QuizResultSerializer,
    RecordSummarySerializer,
    RegistrationSerializer,
    SessionChoiceSerializer,
    TrainingRecordSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}


@extend_schema(tags=["training"])
@extend_schema_view(
    list=extend_schema(summary="Courses (a distributor sees the published ones open to its tier)",
                       responses={200: CourseSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="A course with its sessions, materials and quiz questions (no answers)",
                           responses={200: CourseDetailSerializer, 404: ERR}),
)
class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Course
    serializer_class = CourseSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [AliasOrderingFilter]
    ordering_map = {"title": "title", "category": "category", "created": "created_at"}
    ordering_default = "title"
    staff_perms = {"list": "training.view_course", "retrieve": "training.view_course",
                   "completions": "training.view_completion"}
    portal_actions = frozenset({"list", "retrieve", "register", "cancel_registration", "quiz", "completions"})

    def scoped_queryset(self):
        user = self.request.user
        qs = selectors.visible_courses(user.distributor) if user.distributor_id else Course.objects.all()
        return qs.prefetch_related("target_tiers", "sessions", "materials", "questions__options")

    def get_serializer_class(self):
        return CourseDetailSerializer if self.action == "retrieve" else CourseSerializer

    def _session(self, request, course):
        serializer = SessionChoiceSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        session = TrainingSession.objects.filter(pk=serializer.validated_data["session"], course=course).first()
        if session is None:
            raise ValidationError({"session": [_("Not a session of this course.")]})
        return session

    @extend_schema(summary="Register the caller for one of the course's sessions", request=SessionChoiceSerializer,
                   responses={201: RegistrationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        session = self._session(request, self.get_object())
        registration = services.register(session_id=session.pk, user=request.user)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel the caller's registration for a session", request=SessionChoiceSerializer,
                   responses={200: RegistrationSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="cancel-registration")
    def cancel_registration(self, request, pk=None):
        session = self._session(request, self.get_object())
        registration = services.cancel_registration(session_id=session.pk, user=request.user)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(summary="Submit the quiz: the answers are scored on the server", request=QuizAnswersSerializer,
                   responses={201: QuizResultSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def quiz(self, request, pk=None):
        course = self.get_object()
        serializer = QuizAnswersSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        attempt = services.submit_quiz(course_id=course.pk, user=request.user,
                                       answers=serializer.validated_data["answers"])
        return Response(QuizResultSerializer(attempt, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Completions and certificates (a distributor: its own people's)",
                   responses={200: CompletionSerializer(many=True), 403: ERR})
    @action(detail=False, methods=["get"])
    def completions(self, request):
        qs = Completion.objects.select_related("course", "user").order_by("-completed_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CompletionSerializer(page, many=True, context={"request": request}).data)


@extend_schema(tags=["training"])
@extend_schema_view(
    list=extend_schema(summary="Training summary per distributor (scoped)",
                       responses={200: RecordSummarySerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="A distributor's training record", responses={200: TrainingRecordSerializer,
                                                                                404: ERR}),
)
class TrainingRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Distributor
    serializer_class = RecordSummarySerializer
    filter_backends = [AliasOrderingFilter]
    ordering_map = {"code": "code", "name": "name", "courses": "n_courses"}
    ordering_default = "code"
    staff_perms = {"list": "training.view_training_report", "retrieve": "training.view_training_report"}
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return selectors.distributor_summaries(Distributor.objects.all())

    def retrieve(self, request, pk=None):
        distributor = self.get_object()
        data = {"distributor": distributor, "record": selectors.distributor_record(distributor)}
        return Response(TrainingRecordSerializer(data, context={"request": request}).data)


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("courses", CourseViewSet, basename="course")
    router.register("training-records", TrainingRecordViewSet, basename="training-record")
    return []
