"""Shipments: created from approved orders (whole or partial), dispatched with a carrier
and tracking number — which posts the stock moves — tracked, and received."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.models import next_value
from dms.inventory import services as stock
from dms.orders import services as orders
from dms.orders.models import Order

from .models import Carrier, Discrepancy, DiscrepancyLine, Shipment, ShipmentLine, TrackingEvent

St = Shipment.Status


class UnknownShipment(DomainError):
    code = "not_found"
    status = 404


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def open_quantities(order) -> dict[int, int]:
    """Per order line: ordered − shipped − already on a shipment being picked."""
    picking = {}
    for sl in ShipmentLine.objects.filter(shipment__order=order, shipment__status=St.PICKING):
        picking[sl.order_line_id] = picking.get(sl.order_line_id, 0) + sl.quantity
    return {line.pk: line.quantity - line.shipped_quantity - picking.get(line.pk, 0) for line in order.lines.all()}


@transaction.atomic
def create_shipment(*, order_id: int, lines: dict[int, int] | None = None, actor, note: str = "") -> Shipment:
    """A shipment for ``{product_id: quantity}`` of an approved order; without lines, for
    everything not yet shipped or being picked."""
    # of=("self",): lock the order only; locking the distributor row too (the join) would hold up that
    # distributor's new orders, whose INSERT takes a key-share lock on it, until this commits.
    order = Order.objects.select_for_update(of=("self",)).select_related("distributor").get(pk=order_id)
    if order.status not in (Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED):
        raise InvalidTransition(order.get_status_display(), _("shipped"))
    open_qty = open_quantities(order)
    order_lines = {line.pk: line for line in order.lines.all()}
    by_product = {line.product_id: line for line in order_lines.values()}
    if lines is None:
        wanted = {line_id: q for line_id, q in open_qty.items() if q > 0}
    else:
        wanted, errors = {}, {}
        for pid, qty in lines.items():
            line = by_product.get(int(pid))
            if line is None:
                errors[f"lines.{pid}"] = [_("Not a product of this order.")]
            elif not isinstance(qty, int) or qty <= 0:
                errors[f"lines.{pid}"] = [_("The quantity must be at least 1.")]
            elif qty > open_qty[line.pk]:
                errors[f"lines.{pid}"] = [_("At most %(n)s are left to ship.") % {"n": open_qty[line.pk]}]
            else:
                wanted[line.pk] = qty
        if errors:
            raise ValidationFailed(_("Some shipment lines are invalid."), fields=errors)
    if not wanted:
        raise ValidationFailed(_("Nothing is left to ship on this order."))
    day = timezone.localdate()
    shipment = Shipment.objects.create(
        number=f"DN{day:%Y%m%d}{next_value(f'DN{day:%Y%m%d}'):04d}", order=order, distributor=order.distributor,
        warehouse_id=order.warehouse_id, ship_to=order.distributor.address, note=note[:255],
        created_by=_actor(actor))
    ShipmentLine.objects.bulk_create([
        ShipmentLine(shipment=shipment, order_line_id=lid, product_id=order_lines[lid].product_id, quantity=q)
        for lid, q in sorted(wanted.items())
    ])
    record(action=AuditLog.Action.CREATE, instance=shipment, distributor_id=order.distributor_id,
           message=_("Shipment created for %(order)s.") % {"order": order.number}, actor=actor)
    return shipment


def _lock(shipment_id: int) -> Shipment:
    return Shipment.objects.select_for_update(of=("self",)).select_related("order", "carrier").get(pk=shipment_id)


@transaction.atomic
def dispatch_shipment(*, shipment_id: int, carrier: Carrier | None, tracking_number: str, actor) -> Shipment:
    """The goods leave: stock moves are posted, the order counts them as shipped."""
    shipment = _lock(shipment_id)
    if shipment.status == St.DISPATCHED:
        return shipment
    if shipment.status != St.PICKING:
        raise InvalidTransition(shipment.get_status_display(), St.DISPATCHED.label)
    errors = {}
    if carrier is None:
        errors["carrier"] = [_("Choose a carrier.")]
    if not (tracking_number or "").strip():
        errors["tracking_number"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    lines = list(shipment.lines.all())
    quantities: dict[int, int] = {}
    for sl in lines:
        quantities[sl.product_id] = quantities.get(sl.product_id, 0) + sl.quantity
    orders.record_shipped(order_id=shipment.order_id, quantities={sl.order_line_id: sl.quantity for sl in lines},
                          actor=actor, shipment_number=shipment.number)
    stock.ship(warehouse_id=shipment.warehouse_id, lines=quantities, reference=shipment.number, actor=actor)
    now = timezone.now()
    shipment.status, shipment.carrier, shipment.dispatched_at = St.DISPATCHED, carrier, now
    shipment.tracking_number = tracking_number.strip()[:64]
    shipment.save()
    TrackingEvent.objects.get_or_create(
        shipment=shipment, occurred_at=now, description=_("Dispatched with %(carrier)s") % {"carrier": carrier.name},
        defaults={"source": TrackingEvent.Source.SYSTEM})
    record(action=AuditLog.Action.TRANSITION, instance=shipment, distributor_id=shipment.distributor_id,
           changes={"status": [St.PICKING, St.DISPATCHED]}, message=shipment.tracking_number, actor=actor)
    if settings.FINANCE_INVOICE_ON == "shipment":
        from dms.finance import invoicing

        invoicing.invoice_shipment(shipment_id=shipment.pk, actor=actor)
    from . import notify

    transaction.on_commit(lambda: notify.dispatched(shipment.pk))
    return shipment


@transaction.atomic
def cancel_shipment(*, shipment_id: int, actor) -> Shipment:
    shipment = _lock(shipment_id)
    if shipment.status != St.PICKING:
        raise InvalidTransition(shipment.get_status_display(), St.CANCELLED.label)
    shipment.status = St.CANCELLED
    shipment.save(update_fields=["status"])
    record(action=AuditLog.Action.TRANSITION, instance=shipment, distributor_id=shipment.distributor_id,
           changes={"status": [St.PICKING, St.CANCELLED]}, actor=actor)
    return shipment


def _mark_delivered(shipment, actor, *, confirmed: bool, at=None):
    shipment.status = St.DELIVERED
    shipment.delivered_at = shipment.delivered_at or at or timezone.now()
    if confirmed:
        shipment.received_by, shipment.received_at = _actor(actor), timezone.now()
    shipment.save()
    orders.record_delivered(order_id=shipment.order_id, actor=actor, confirmed=confirmed,
                            message=orders.system_message(gettext_noop("Shipment %(number)s delivered."), number=shipment.number))


@transaction.atomic
def add_tracking_event(*, shipment_id: int, occurred_at: dt.datetime, description: str, location: str = "",
                       is_delivery: bool = False, source=TrackingEvent.Source.STAFF, actor=None) -> TrackingEvent:
    """Record a tracking event; the same event twice is stored once. A delivery event
    marks the shipment delivered."""
    shipment = _lock(shipment_id)
    if shipment.status not in (St.DISPATCHED, St.DELIVERED):
        raise ValidationFailed(_("Tracking starts once the shipment is dispatched."))
    if not (description or "").strip():
        raise ValidationFailed(_("Describe the event."), fields={"description": [_("This field is required.")]})
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    event, created = TrackingEvent.objects.get_or_create(
        shipment=shipment, occurred_at=occurred_at, description=description.strip()[:255],
        defaults={"location": (location or "").strip()[:128], "is_delivery": is_delivery, "source": source})
    if is_delivery and shipment.status == St.DISPATCHED:
        _mark_delivered(shipment, actor, confirmed=False, at=occurred_at)
    event.created = created
    return event


def shipment_for_tracking_number(tracking_number: str, carrier: Carrier | None = None) -> Shipment:
    """The latest dispatched (or delivered) shipment with this tracking number, or UnknownShipment."""
    number = (tracking_number or "").strip()
    qs = Shipment.objects.filter(status__in=[St.DISPATCHED, St.DELIVERED])
    if carrier is not None:
        qs = qs.filter(carrier=carrier)
    shipment = qs.filter(tracking_number=number).order_by("-dispatched_at", "-pk").first() if number else None
    if shipment is None:
        raise UnknownShipment(_("No dispatched shipment has the tracking number %(number)s.") % {"number": number})
    return shipment


@transaction.atomic
def record_carrier_events(*, carrier: Carrier, tracking_number: str, events: list[dict]) -> tuple[Shipment, int]:
    """Tracking events posted by a carrier integration (``events``: dicts with ``occurred_at``,
    ``location``, ``description``, ``is_delivery``), all or none; events already stored are
    skipped, so a retried post adds nothing. Returns the shipment and how many were new."""
    shipment = shipment_for_tracking_number(tracking_number, carrier)
    created = 0
    for event in sorted(events, key=lambda e: e["occurred_at"]):
        created += add_tracking_event(shipment_id=shipment.pk, source=TrackingEvent.Source.CARRIER, actor=None,
                                      **event).created
    return shipment, created


@transaction.atomic
def import_tracking_events(*, rows: list[dict], actor) -> int:
    """Tracking events from an import (each row: ``shipment_id`` and the event fields), all
    or none. Returns how many were new (an imported file imported again adds nothing)."""
    created = 0
    for row in sorted(rows, key=lambda r: (r["shipment_id"], r["occurred_at"])):
        created += add_tracking_event(source=TrackingEvent.Source.IMPORT, actor=actor, **row).created
    return created


@transaction.atomic
def confirm_receipt(*, shipment_id: int, actor) -> Shipment:
    """The distributor confirms the goods arrived complete (proof of delivery)."""
    shipment = _lock(shipment_id)
    if getattr(actor, "distributor_id", None) != shipment.distributor_id:
        raise NotAllowed(_("Only the distributor can confirm receipt."))
    if shipment.received_at:
        return shipment
    if shipment.status not in (St.DISPATCHED, St.DELIVERED):
        raise InvalidTransition(shipment.get_status_display(), St.DELIVERED.label)
    if shipment.status == St.DELIVERED:
        shipment.received_by, shipment.received_at = _actor(actor), timezone.now()
        shipment.save(update_fields=["received_by", "received_at"])
        orders.record_delivered(order_id=shipment.order_id, actor=actor, confirmed=True,
                                message=orders.system_message(gettext_noop("Receipt of %(number)s confirmed."), number=shipment.number))
    else:
        _mark_delivered(shipment, actor, confirmed=True)
    record(action=AuditLog.Action.UPDATE, instance=shipment, distributor_id=shipment.distributor_id,
           message=_("Receipt confirmed."), actor=actor)
    return shipment


@transaction.atomic
def report_discrepancy(*, shipment_id: int, description: str, received: dict[int, int] | None = None,
                       actor) -> Discrepancy:
    """The distributor reports that the delivery differs from the note (``received`` is
    ``{shipment_line_id: quantity actually received}``); a case is opened for staff."""
    shipment = _lock(shipment_id)
    if getattr(actor, "distributor_id", None) not in (None, shipment.distributor_id):
        raise NotAllowed()
    if shipment.status not in (St.DISPATCHED, St.DELIVERED):
        raise ValidationFailed(_("Only a dispatched shipment can be disputed."))
    if not (description or "").strip():
        raise ValidationFailed(_("Describe what is wrong."), fields={"description": [_("This field is required.")]})
    lines = {sl.pk: sl for sl in shipment.lines.all()}
    received = {int(k): int(v) for k, v in (received or {}).items()}
    for line_id, qty in received.items():
        if line_id not in lines or qty < 0 or qty > lines[line_id].quantity * 10:
            raise ValidationFailed(_("Some received quantities are invalid."), fields={f"lines.{line_id}": ["?"]})
    case = Discrepancy.objects.create(shipment=shipment, distributor_id=shipment.distributor_id,
                                      description=description.strip(), reported_by=_actor(actor))
    DiscrepancyLine.objects.bulk_create([DiscrepancyLine(discrepancy=case, shipment_line_id=k, received_quantity=v)
                                         for k, v in received.items() if v != lines[k].quantity])
    orders.record_delivered(order_id=shipment.order_id, actor=actor,
                            message=orders.system_message(gettext_noop("Discrepancy reported on %(number)s."),
                                                           number=shipment.number))
    record(action=AuditLog.Action.CREATE, instance=case, distributor_id=shipment.distributor_id,
           message=_("Delivery discrepancy reported."), actor=actor)
    from . import notify

    transaction.on_commit(lambda: notify.discrepancy_reported(case.pk))
    return case


@transaction.atomic
def resolve_discrepancy(*, discrepancy_id: int, resolution: str, actor) -> Discrepancy:
    case = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
    if case.status == Discrepancy.Status.RESOLVED:
        raise InvalidTransition(case.get_status_display(), Discrepancy.Status.RESOLVED.label)
    if not (resolution or "").strip():
        raise ValidationFailed(_("Describe the resolution."), fields={"resolution": [_("This field is required.")]})
    case.status, case.resolution = Discrepancy.Status.RESOLVED, resolution.strip()
    case.resolved_by, case.resolved_at = _actor(actor), timezone.now()
    case.save()
    record(action=AuditLog.Action.TRANSITION, instance=case, distributor_id=case.distributor_id,
           changes={"status": [Discrepancy.Status.OPEN, Discrepancy.Status.RESOLVED]}, actor=actor)
    return case
