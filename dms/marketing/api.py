"""REST API of market feedback and the marketing materials library.

Feedback comes from the scoped manager: a distributor user lists and reads only its own,
another distributor's id answers 404; staff read what their scope allows. Only
distributor users submit feedback. Materials are brand-wide but filtered by tier
(``selectors.visible_materials``): a material the caller's tier may not see is a 404.
"""

import django_filters
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.files import serve_private_file
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet

from . import selectors, services
from .filters import FEEDBACK_ORDERING, MATERIAL_ORDERING
from .models import Feedback, FeedbackAttachment, Material
from .serializers import FeedbackCreateSerializer, FeedbackSerializer, MarketingMaterialSerializer

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY, 302: None, 404: ERR}


class FeedbackApiFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Feedback.Status.choices)
    category = django_filters.MultipleChoiceFilter(choices=Feedback.Category.choices)
    product = django_filters.NumberFilter(field_name="product_id")
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    province = django_filters.CharFilter(field_name="province_code")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Feedback
        fields = ["status", "category", "product", "distributor", "province", "created_from", "created_to"]


@extend_schema(tags=["marketing"])
@extend_schema_view(
    list=extend_schema(summary="List market feedback (a distributor sees only its own)",
                       responses={200: FeedbackSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Feedback with the brand's response", responses={200: FeedbackSerializer,
                                                                                     404: ERR}),
)
class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Feedback
    serializer_class = FeedbackSerializer
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = FeedbackApiFilter
    ordering_map = FEEDBACK_ORDERING
    ordering_default = "-created_at"
    staff_perms = {"list": "marketing.view_feedback", "retrieve": "marketing.view_feedback"}
    portal_actions = frozenset({"list", "retrieve", "create"})

    def scoped_queryset(self):
        return Feedback.objects.select_related("distributor", "product").prefetch_related("action_tags",
                                                                                          "attachments")

    @extend_schema(summary="Send market feedback (distributor users; JSON or multipart with attachments)",
                   request={"application/json": FeedbackCreateSerializer,
                            "multipart/form-data": FeedbackCreateSerializer},
                   responses={201: FeedbackSerializer, **ERRORS})
    def create(self, request):
        if not request.user.has_perm("marketing.add_feedback"):
            raise PermissionDenied()
        data = request.data
        if hasattr(data, "getlist"):  # multipart: several files under one name
            data = {**{k: data.get(k) for k in data}, "attachments": request.FILES.getlist("attachments")}
        serializer = FeedbackCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        feedback = services.submit_feedback(
            distributor_id=request.user.distributor_id, actor=request.user, category=d["category"], title=d["title"],
            details=d["details"], rating=d["rating"], product_id=d.get("product"),
            region_code=d.get("region_code") or None, competitor_name=d["competitor_name"],
            competitor_price=d.get("competitor_price"), attachments=d["attachments"])
        return Response(FeedbackSerializer(self.scoped_queryset().get(pk=feedback.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["marketing"])
@extend_schema_view(retrieve=extend_schema(summary="Download a feedback attachment", responses=FILE_RESPONSE))
class FeedbackAttachmentViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    model = FeedbackAttachment
    serializer_class = None
    staff_perms = {"retrieve": "marketing.view_feedback"}
    portal_actions = frozenset({"retrieve"})

    def scoped_queryset(self):
        return FeedbackAttachment.objects.all()

    def retrieve(self, request, pk=None):
        attachment = self.get_object()
        return serve_private_file(attachment.file, attachment.original_name)


class MaterialApiFilter(django_filters.FilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Material.Category.choices)
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Material
        fields = ["category", "search"]

    def filter_search(self, qs, name, value):
        from django.db.models import Q

        v = value.strip()
        return qs.filter(Q(title__icontains=v) | Q(description__icontains=v) | Q(tags__icontains=v)) if v else qs


@extend_schema(tags=["marketing"])
@extend_schema_view(
    list=extend_schema(summary="Marketing materials the caller's tier may download",
                       responses={200: MarketingMaterialSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="A material", responses={200: MarketingMaterialSerializer, 404: ERR}),
)
class MaterialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Material
    serializer_class = MarketingMaterialSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = MaterialApiFilter
    ordering_map = MATERIAL_ORDERING
    ordering_default = "-created_at"
    staff_perms = {"list": None, "retrieve": None, "download": None}
    portal_actions = frozenset({"list", "retrieve", "download"})

    def scoped_queryset(self):
        return selectors.visible_materials(self.request.user)

    @extend_schema(summary="Download the file (or be redirected to the link); counts a distributor's download",
                   responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        material = self.get_object()
        services.record_download(material_id=material.pk, user=request.user)
        if material.file:
            return serve_private_file(material.file, material.original_name)
        if material.link:
            return HttpResponseRedirect(material.link)
        raise Http404(_("This material has no file."))


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("feedback", FeedbackViewSet, basename="feedback")
    router.register("feedback-attachments", FeedbackAttachmentViewSet, basename="feedback-attachment")
    router.register("materials", MaterialViewSet, basename="material")
    return []
