"""REST API of after-sales service tickets.

Tickets come from the scoped manager, so a distributor token sees only its own and another
distributor's ticket answers 404 on every route. A distributor asking for an internal note
(``"internal": true``) gets 403: only brand staff write them, and a distributor's GET never
includes one. Status changes are actions: ``start``, ``wait``, ``resolve``, ``close``,
``reopen``; plus ``assign`` (staff) and ``rate`` (the distributor, once).
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.errors import NotAllowed, ValidationFailed
from dms.core.files import serve_private_file
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet

from . import selectors, services
from .filters import TICKET_ORDERING, TicketFilter
from .models import Ticket, TicketAttachment
from .serializers import (
    AssignSerializer,
    RateSerializer,
    ResolveSerializer,
    TicketCreateSerializer,
    TicketMessageCreateSerializer,
    TicketMessageSerializer,
    TicketSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}
PARSERS = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
VIEW, ADD, CHANGE, ASSIGN = ("service.view_ticket", "service.add_ticket", "service.change_ticket",
                             "service.assign_ticket")


def _serialized():
    return selectors.tickets().prefetch_related(Prefetch("attachments", TicketAttachment.objects.order_by("id")))


@extend_schema(tags=["service"])
@extend_schema_view(
    list=extend_schema(summary="List service tickets (a distributor sees only its own)",
                       responses={200: TicketSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="A service ticket", responses={200: TicketSerializer, 404: ERR}),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Ticket
    serializer_class = TicketSerializer
    parser_classes = PARSERS
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = TicketFilter
    ordering_map = TICKET_ORDERING
    ordering_default = "-created_at"
    staff_perms = {
        "list": VIEW, "retrieve": VIEW, "messages": VIEW, "attachment": VIEW, "create": ADD,
        "post_message": CHANGE, "start": CHANGE, "wait": CHANGE, "resolve": CHANGE, "close": CHANGE,
        "reopen": CHANGE, "assign": ASSIGN,
    }
    portal_actions = frozenset({"list", "retrieve", "messages", "attachment", "create", "post_message", "close",
                                "reopen", "rate"})

    def scoped_queryset(self):
        return _serialized() if self.action in ("list", "retrieve") else Ticket.objects.all()

    def _render(self, ticket, http_status=status.HTTP_200_OK):
        return Response(TicketSerializer(_serialized().get(pk=ticket.pk)).data, status=http_status)

    @extend_schema(summary="Raise a ticket (JSON, or multipart/form-data with attachments)",
                   request={"application/json": TicketCreateSerializer,
                            "multipart/form-data": TicketCreateSerializer},
                   responses={201: TicketSerializer, **ERRORS})
    def create(self, request):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = request.user
        # a distributor user raises for his own distributor, whatever the body says
        distributor_id = user.distributor_id or data.get("distributor")
        if not distributor_id:
            raise ValidationFailed(fields={"distributor": [_("This field is required.")]})
        ticket = services.create_ticket(
            distributor_id=distributor_id, type=data["type"], subject=data["subject"],
            description=data["description"], priority=data["priority"], order_id=data.get("order"),
            shipment_id=data.get("shipment"), product_id=data.get("product"), batch_number=data["batch_number"],
            attachments=data["attachments"], actor=user)
        return self._render(ticket, status.HTTP_201_CREATED)

    @extend_schema(summary="The conversation, oldest first (a distributor never gets internal notes)",
                   responses={200: TicketMessageSerializer(many=True), 404: ERR})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def messages(self, request, pk=None):
        ticket = self.get_object()
        return Response(TicketMessageSerializer(
            selectors.conversation(ticket, staff=not request.user.distributor_id), many=True).data)

    @extend_schema(summary="Post a reply; staff may post an internal note (internal=true)",
                   request={"application/json": TicketMessageCreateSerializer,
                            "multipart/form-data": TicketMessageCreateSerializer},
                   responses={201: TicketMessageSerializer, **TRANSITION_ERRORS})
    @messages.mapping.post
    def post_message(self, request, pk=None):
        ticket = self.get_object()
        serializer = TicketMessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["internal"] and request.user.distributor_id:
            raise NotAllowed(_("Only brand staff can write internal notes."))
        message = services.post_message(ticket_id=ticket.pk, body=data["body"], internal=data["internal"],
                                        attachments=data["attachments"], actor=request.user)
        return Response(TicketMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download an attachment", parameters=[
        OpenApiParameter("attachment_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERR})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        ticket = self.get_object()
        try:
            file = selectors.attachment(ticket, int(attachment_pk), staff=not request.user.distributor_id)
        except TicketAttachment.DoesNotExist:
            raise Http404 from None
        return serve_private_file(file.file, file.name)

    def _move(self, request, target, resolution=""):
        ticket = self.get_object()
        return self._render(services.change_status(ticket_id=ticket.pk, status=target, resolution=resolution,
                                                   actor=request.user))

    @extend_schema(summary="Start work (in_progress)", request=None, responses={200: TicketSerializer,
                                                                                 **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, Ticket.Status.IN_PROGRESS)

    @extend_schema(summary="Wait on the distributor (pauses the resolution clock)", request=None,
                   responses={200: TicketSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        return self._move(request, Ticket.Status.WAITING)

    @extend_schema(summary="Resolve (a resolution text is required)", request=ResolveSerializer,
                   responses={200: TicketSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(request, Ticket.Status.RESOLVED, serializer.validated_data["resolution"])

    @extend_schema(summary="Close a resolved ticket", request=None, responses={200: TicketSerializer,
                                                                                **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, Ticket.Status.CLOSED)

    @extend_schema(summary="Reopen (a distributor: within the reopen window)", request=None,
                   responses={200: TicketSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move(request, Ticket.Status.OPEN)

    @extend_schema(summary="Assign to a member of staff", request=AssignSerializer,
                   responses={200: TicketSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.assign_ticket(ticket_id=ticket.pk,
                                                   assignee_id=serializer.validated_data["assignee"],
                                                   actor=request.user))

    @extend_schema(summary="Rate the service 1-5, once, after resolve or close (the distributor)",
                   request=RateSerializer, responses={200: TicketSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        ticket = self.get_object()
        serializer = RateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._render(services.rate_ticket(ticket_id=ticket.pk, rating=data["rating"],
                                                 comment=data["comment"], actor=request.user))


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("tickets", TicketViewSet, basename="ticket")
    return []
