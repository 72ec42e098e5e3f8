"""REST API for distributors, their reviews, qualifications, contracts and portal users.

Each view parses input, makes one service call and renders. Rows come from the scoped
managers, so a distributor outside the caller's scope (another distributor's, or another
channel manager's) answers 404 on every route, nested ones included: nested viewsets
look the parent distributor up first, before anything else is checked.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response

from dms.accounts import services as account_services
from dms.accounts.api import ActionAccessMixin
from dms.accounts.models import User
from dms.accounts.roles import BRAND_WIDE_ROLES, Role
from dms.accounts.serializers import ErrorSerializer, PortalUserCreateSerializer, PortalUserSerializer
from dms.core.files import serve_private_file

from . import services
from .filters import (
    DISTRIBUTOR_ORDERING,
    ContractFilter,
    DistributorFilter,
    QualificationFilter,
    ReviewFilter,
    order_by_param,
)
from .models import Contract, Distributor, Qualification, Review
from .serializers import (
    ContractCreateSerializer,
    ContractRenewSerializer,
    ContractSerializer,
    DecisionSerializer,
    DistributorSerializer,
    DistributorWriteSerializer,
    QualificationSerializer,
    QualificationUploadSerializer,
    ReviewSerializer,
    TransitionSerializer,
    VerifySerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERR}
UPLOAD_PARSERS = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
DISTRIBUTOR_PK = OpenApiParameter("distributor_pk", OpenApiTypes.INT, OpenApiParameter.PATH,
                                  description="Distributor id.")


class AliasOrderingFilter(BaseFilterBackend):
    """``?ordering=name`` / ``-name`` with the same public names as the pages' sort links
    (``view.ordering_map``: public name -> field)."""

    def filter_queryset(self, request, queryset, view):
        return order_by_param(queryset, request.query_params.get("ordering", ""), view.ordering_map,
                              view.ordering_default)

    def get_schema_operation_parameters(self, view):
        names = sorted(view.ordering_map)
        return [{
            "name": "ordering", "required": False, "in": "query",
            "description": "Sort by one of these; prefix with - for descending.",
            "schema": {"type": "string", "enum": [*names, *[f"-{n}" for n in names]]},
        }]


class ScopedViewSet(ActionAccessMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset()

    def scoped_queryset(self):
        raise NotImplementedError


class DistributorChildViewSet(ScopedViewSet):
    """Routes below /distributors/{distributor_pk}/: the parent is found (in scope) first."""

    def load_parent(self):
        if getattr(self, "swagger_fake_view", False):
            return
        self.distributor = get_object_or_404(Distributor.objects.all(), pk=self.kwargs["distributor_pk"])


def _sees_only_own(user) -> bool:
    """A channel manager without a brand-wide role sees only the distributors he manages."""
    return not user.is_superuser and Role.CHANNEL_MANAGER in user.role_names and not (user.role_names & BRAND_WIDE_ROLES)


# --- distributors ---------------------------------------------------------------------


@extend_schema(tags=["distributors"])
@extend_schema_view(
    list=extend_schema(summary="List distributors", responses={200: DistributorSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Distributor detail", responses={200: DistributorSerializer, 404: ERR}),
)
class DistributorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Distributor
    serializer_class = DistributorSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = DistributorFilter
    ordering_map = DISTRIBUTOR_ORDERING
    ordering_default = "code"
    staff_perms = {
        "list": "distributors.view_distributor",
        "retrieve": "distributors.view_distributor",
        "create": "distributors.add_distributor",
        "partial_update": "distributors.change_distributor",
        "submit": "distributors.submit_distributor",
        "suspend": "distributors.change_distributor_status",
        "reactivate": "distributors.change_distributor_status",
        "terminate": "distributors.change_distributor_status",
    }
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return Distributor.objects.select_related("tier").prefetch_related("tags", "contacts")

    def _render(self, distributor, http_status=status.HTTP_200_OK):
        return Response(DistributorSerializer(distributor, context=self.get_serializer_context()).data,
                        status=http_status)

    @extend_schema(summary="Create a distributor (status prospect)", request=DistributorWriteSerializer,
                   responses={201: DistributorSerializer, **ERRORS})
    def create(self, request):
        serializer = DistributorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_service_kwargs()
        if _sees_only_own(request.user):
            # A channel manager creates distributors he manages: any other would vanish from his scope.
            manager = data.get("channel_manager")
            if manager is not None and manager.pk != request.user.pk:
                raise ValidationError({"channel_manager": [_("You can only create distributors that you manage.")]})
            data["channel_manager"] = request.user
        distributor = services.create_distributor(actor=request.user, **data)
        return self._render(distributor, status.HTTP_201_CREATED)

    @extend_schema(summary="Change a distributor's profile", request=DistributorWriteSerializer,
                   responses={200: DistributorSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        distributor = self.get_object()
        serializer = DistributorWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_service_kwargs()
        if "contacts" in data:
            raise ValidationError({"contacts": [_("Contacts cannot be changed through this request.")]})
        updated = services.update_distributor(distributor_id=distributor.pk, actor=request.user, **data)
        return self._render(updated)

    @extend_schema(summary="Submit for onboarding review (prospect → pending_review)", request=None,
                   responses={200: DistributorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        distributor = self.get_object()
        return self._render(services.submit_distributor(distributor_id=distributor.pk, actor=request.user))

    def _transition(self, service):
        distributor = self.get_object()
        serializer = TransitionSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(service(distributor_id=distributor.pk, reason=serializer.validated_data["reason"],
                                    actor=self.request.user))

    @extend_schema(summary="Suspend (its users lose access at once)", request=TransitionSerializer,
                   responses={200: DistributorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._transition(services.suspend_distributor)

    @extend_schema(summary="Reactivate a suspended distributor", request=TransitionSerializer,
                   responses={200: DistributorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._transition(services.reactivate_distributor)

    @extend_schema(summary="Terminate (final)", request=TransitionSerializer,
                   responses={200: DistributorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._transition(services.terminate_distributor)


# --- reviews --------------------------------------------------------------------------


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(summary="List qualification reviews", responses={200: ReviewSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Review with its decisions and current step",
                           responses={200: ReviewSerializer, 404: ERR}),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Review
    serializer_class = ReviewSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ReviewFilter
    ordering_map = {"created": "created_at", "due": "due_date", "status": "status", "kind": "kind"}
    ordering_default = "-created_at"
    # Deciding needs the current step's permission: the service checks it (403 otherwise).
    staff_perms = {"list": "distributors.view_review", "retrieve": "distributors.view_review",
                   "approve": None, "reject": None}
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return Review.objects.select_related("distributor", "step").prefetch_related("decisions__step",
                                                                                      "decisions__actor")

    def _render(self, review):
        review = self.get_queryset().get(pk=review.pk)
        return Response(ReviewSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(summary="Approve the current step", request=DecisionSerializer,
                   responses={200: ReviewSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        review = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._render(services.approve_review(review_id=review.pk, actor=request.user,
                                                    comment=data["comment"], step_id=data["step"]))

    @extend_schema(summary="Reject (a comment is required)", request=DecisionSerializer,
                   responses={200: ReviewSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        review = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._render(services.reject_review(review_id=review.pk, actor=request.user,
                                                   comment=data["comment"], step_id=data["step"]))


# --- qualifications -------------------------------------------------------------------


@extend_schema(parameters=[DISTRIBUTOR_PK], tags=["qualifications"])
@extend_schema_view(
    list=extend_schema(summary="A distributor's qualifications",
                       responses={200: QualificationSerializer(many=True), 403: ERR, 404: ERR}),
    retrieve=extend_schema(summary="Qualification detail", responses={200: QualificationSerializer, 404: ERR}),
)
class QualificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DistributorChildViewSet):
    model = Qualification
    serializer_class = QualificationSerializer
    parser_classes = UPLOAD_PARSERS
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = QualificationFilter
    ordering_map = {"valid_to": "valid_to", "type": "type", "uploaded": "created_at", "status": "verification_status"}
    ordering_default = "valid_to"
    staff_perms = {
        "list": "distributors.view_qualification",
        "retrieve": "distributors.view_qualification",
        "file": "distributors.view_qualification",
        "create": "distributors.add_qualification",
        "verify": "distributors.verify_qualification",
    }
    # A distributor's users may read and upload its own documents (they wait for verification).
    portal_actions = frozenset({"list", "retrieve", "file", "create"})

    def scoped_queryset(self):
        return Qualification.objects.filter(distributor=self.distributor)

    @extend_schema(summary="Upload a qualification document", request=QualificationUploadSerializer,
                   responses={201: QualificationSerializer, **ERRORS})
    def create(self, request, distributor_pk=None):
        serializer = QualificationUploadSerializer(data=request.data, context={"distributor": self.distributor})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        qualification = services.add_qualification(distributor_id=self.distributor.pk, actor=request.user,
                                                   file=data.pop("file", None), **data)
        return Response(QualificationSerializer(qualification).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download the document", responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def file(self, request, distributor_pk=None, pk=None):
        qualification = self.get_object()
        return serve_private_file(qualification.file, qualification.original_filename)

    @extend_schema(summary="Verify or reject the document", request=VerifySerializer,
                   responses={200: QualificationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def verify(self, request, distributor_pk=None, pk=None):
        qualification = self.get_object()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verified = services.verify_qualification(qualification_id=qualification.pk, actor=request.user,
                                                 **serializer.validated_data)
        return Response(QualificationSerializer(verified).data)


# --- contracts ------------------------------------------------------------------------


@extend_schema(parameters=[DISTRIBUTOR_PK], tags=["contracts"])
@extend_schema_view(
    list=extend_schema(summary="A distributor's contracts",
                       responses={200: ContractSerializer(many=True), 403: ERR, 404: ERR}),
    retrieve=extend_schema(summary="Contract detail", responses={200: ContractSerializer, 404: ERR}),
)
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DistributorChildViewSet):
    model = Contract
    serializer_class = ContractSerializer
    parser_classes = UPLOAD_PARSERS
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ContractFilter
    ordering_map = {"start": "start_date", "end": "end_date", "number": "number", "status": "status"}
    ordering_default = "-start_date"
    staff_perms = {
        "list": "distributors.view_contract",
        "retrieve": "distributors.view_contract",
        "file": "distributors.view_contract",
        "create": "distributors.add_contract",
        "renew": "distributors.add_contract",
        "activate": "distributors.change_contract",
        "terminate": "distributors.change_contract",
    }
    portal_actions = frozenset({"list", "retrieve", "file"})

    def scoped_queryset(self):
        return Contract.objects.filter(distributor=self.distributor).select_related("renewal")

    def _render(self, contract, http_status=status.HTTP_200_OK):
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data, status=http_status)

    @extend_schema(summary="Add a contract", request=ContractCreateSerializer,
                   responses={201: ContractSerializer, **TRANSITION_ERRORS})
    def create(self, request, distributor_pk=None):
        serializer = ContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        contract = services.create_contract(distributor_id=self.distributor.pk, actor=request.user,
                                            signed_file=data.pop("signed_file", None), **data)
        return self._render(contract, status.HTTP_201_CREATED)

    @extend_schema(summary="Download the signed copy", responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def file(self, request, distributor_pk=None, pk=None):
        contract = self.get_object()
        return serve_private_file(contract.signed_file, contract.original_filename)

    @extend_schema(summary="Renew: creates the follow-on contract (returned), this one becomes renewed",
                   request=ContractRenewSerializer, responses={201: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def renew(self, request, distributor_pk=None, pk=None):
        contract = self.get_object()
        serializer = ContractRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new = services.renew_contract(contract_id=contract.pk, actor=request.user,
                                      signed_file=data.pop("signed_file", None), **data)
        return self._render(new, status.HTTP_201_CREATED)

    @extend_schema(summary="Activate a draft contract", request=None,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, distributor_pk=None, pk=None):
        contract = self.get_object()
        return self._render(services.activate_contract(contract_id=contract.pk, actor=request.user))

    @extend_schema(summary="Terminate the contract", request=None,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def terminate(self, request, distributor_pk=None, pk=None):
        contract = self.get_object()
        return self._render(services.terminate_contract(contract_id=contract.pk, actor=request.user))


# --- portal users ---------------------------------------------------------------------


@extend_schema(parameters=[DISTRIBUTOR_PK], tags=["portal users"])
@extend_schema_view(
    list=extend_schema(summary="A distributor's portal users",
                       responses={200: PortalUserSerializer(many=True), 403: ERR, 404: ERR}),
    retrieve=extend_schema(summary="Portal user", responses={200: PortalUserSerializer, 404: ERR}),
)
class PortalUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DistributorChildViewSet):
    model = User
    serializer_class = PortalUserSerializer
    filter_backends = [AliasOrderingFilter]
    ordering_map = {"username": "username", "joined": "date_joined", "last_login": "last_login"}
    ordering_default = "username"
    # Creating and (de)activating: staff with accounts.manage_portal_users, or the
    # distributor's own administrator — the service decides (403 otherwise).
    staff_perms = {
        "list": "distributors.view_distributor",
        "retrieve": "distributors.view_distributor",
        "create": "accounts.manage_portal_users",
        "activate": "accounts.manage_portal_users",
        "deactivate": "accounts.manage_portal_users",
    }
    portal_actions = frozenset({"list", "retrieve", "create", "activate", "deactivate"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        # Users are not a tenant model: the filter on the (scoped) parent is what isolates.
        return User.objects.filter(distributor_id=self.distributor.pk)

    @extend_schema(summary="Create a portal user", request=PortalUserCreateSerializer,
                   responses={201: PortalUserSerializer, **ERRORS})
    def create(self, request, distributor_pk=None):
        serializer = PortalUserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = account_services.create_portal_user(distributor_id=self.distributor.pk, actor=request.user,
                                                   **serializer.validated_data)
        return Response(PortalUserSerializer(user).data, status=status.HTTP_201_CREATED)

    def _set_active(self, active):
        user = self.get_object()
        user = account_services.set_user_active(user_id=user.pk, active=active, actor=self.request.user)
        return Response(PortalUserSerializer(user).data)

    @extend_schema(summary="Deactivate (ends the user's sessions and tokens)", request=None,
                   responses={200: PortalUserSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, distributor_pk=None, pk=None):
        return self._set_active(False)

    @extend_schema(summary="Activate again", request=None, responses={200: PortalUserSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, distributor_pk=None, pk=None):
        return self._set_active(True)
