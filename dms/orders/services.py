"""Orders: every state change goes through one of these functions, in one transaction,
writing the timeline event the distributor sees and the audit record staff see.

Stock is reserved when an order is **submitted** (not when it is approved): a
distributor who submits gets a firm answer at once — an order that cannot be served is
refused with ``insufficient_stock`` while he can still change it — and the reviewers
never approve goods that are gone. Rejecting, cancelling or editing the order releases
what it held; shipping turns the reservation into a shipment move.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from dms.audit.models import AuditLog
from dms.audit.services import build as build_audit
from dms.audit.services import record
from dms.catalog.models import to_money
from dms.catalog.pricing import PricedLine, price_lines
from dms.core.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.models import next_value
from dms.core.sql import insert_parts, mark_saved
from dms.distributors.models import Distributor
from dms.finance import credit
from dms.inventory import services as stock
from dms.inventory.models import Warehouse

from .models import ApprovalStep, Order, OrderEvent, OrderLine, ReturnLine, ReturnRequest, render_message

S = Order.Status


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    status = 422
    default_message = gettext_lazy("This Idempotency-Key was already used with a different request.")


class ShipmentBeingPicked(InvalidTransition):
    def __init__(self):
        DomainError.__init__(self, _("A shipment of this order is being picked: cancel that shipment first."))


class DistributorCannotOrder(NotAllowed):
    code = "distributor_not_active"
    default_message = gettext_lazy("Only active distributors can place orders.")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def system_message(msgid: str, **params) -> tuple[str, dict]:
    """A timeline message stored untranslated (``msgid`` marked with gettext_noop) and
    rendered in the reader's language (``OrderEvent.text``)."""
    return msgid, {"_": 1, **params}


def _rendered(message) -> str:
    """A message as text in the active language (for the audit log)."""
    return render_message(*message) if isinstance(message, tuple) else message


def _event(order, kind, *, actor=None, old="", new="", message="", at=None) -> OrderEvent:
    message, params = message if isinstance(message, tuple) else (message, {})
    return OrderEvent(order=order, kind=kind, from_status=old, to_status=new, message=str(message)[:255],
                      params=params,
                      actor=_actor(actor), created_at=at or timezone.now())


def _audit(order, action, message, changes=None, actor=None):
    record(action=action, instance=order, distributor_id=order.distributor_id, changes=changes or {},
           message=message, actor=actor)


def _normalise(lines) -> list[tuple[int, int]]:
    """[(product_id, quantity)] with duplicates merged; bad shapes are a 400."""
    merged: dict[int, int] = {}
    errors = {}
    for index, line in enumerate(lines or []):
        try:
            pid, qty = int(line["product"]), line["quantity"]
            if isinstance(qty, bool) or not isinstance(qty, int) and not str(qty).isdigit():
                raise ValueError
            qty = int(qty)
        except (KeyError, TypeError, ValueError):
            errors[f"lines[{index}]"] = [_("Give a product and a whole quantity.")]
            continue
        if qty <= 0:
            errors[f"lines[{index}].quantity"] = [_("The quantity must be at least 1.")]
            continue
        merged[pid] = merged.get(pid, 0) + qty
    if errors:
        raise ValidationFailed(_("Some order lines are invalid."), fields=errors)
    if not merged:
        raise ValidationFailed(_("Add at least one product."), fields={"lines": [_("Add at least one product.")]})
    return list(merged.items())


def _totals(priced: list[PricedLine]) -> tuple[Decimal, Decimal, Decimal]:
    subtotal = to_money(sum((p.gross_amount for p in priced), Decimal(0)))
    total = to_money(sum((p.amount for p in priced), Decimal(0)))
    return subtotal, subtotal - total, total


def _first_step(after: ApprovalStep | None = None) -> ApprovalStep | None:
    steps = ApprovalStep.objects.filter(enabled=True)
    if after is not None:
        steps = steps.filter(position__gt=after.position)
    return steps.order_by("position").first()


def _auto_approvable(distributor, total: Decimal) -> bool:
    if not settings.ORDER_AUTO_APPROVE or distributor.status != Distributor.Status.ACTIVE:
        return False
    limit = settings.ORDER_AUTO_APPROVE_LIMIT
    return limit is None or total <= limit


def _check_can_order(distributor, actor) -> None:
    if distributor.status != Distributor.Status.ACTIVE:
        raise DistributorCannotOrder()
    if actor is not None and getattr(actor, "distributor_id", None) not in (None, distributor.pk):
        raise NotAllowed()


def _decide(order, actor, events, now) -> None:
    """A submitted order is approved by the rules, or waits for the first enabled review
    step (approved at once when no step is enabled)."""
    if _auto_approvable(order.distributor, order.total_amount):
        order.status, order.current_step, order.approved_at = S.APPROVED, None, now
        message = system_message(gettext_noop("Approved automatically: active distributor, stock reserved, amount within "
                                    "limits."))
    else:
        order.current_step = _first_step()
        if order.current_step is not None:
            order.status = S.SUBMITTED
            return
        order.status, order.approved_at = S.APPROVED, now
        message = system_message(gettext_noop("Approved: no review step is enabled."))
    events.append(_event(order, OrderEvent.Kind.STATUS, actor=actor, old=S.SUBMITTED, new=S.APPROVED,
                         message=message, at=now))


def _hold(order, actor, events) -> None:
    """The order goes to the credit-hold queue instead of on: it reserves nothing."""
    was = order.status
    order.status, order.approved_at, order.current_step = S.CREDIT_HOLD, None, None
    events[:] = [e for e in events if e.to_status != S.APPROVED]
    events.append(_event(order, OrderEvent.Kind.STATUS, actor=actor, old=S.SUBMITTED if was == S.APPROVED else was,
                         new=S.CREDIT_HOLD, message=system_message(gettext_noop(
                             "Held for finance: the amount exceeds the available credit."))))


def _check_credit_and_reserve(order, priced, actor, events, *, use_prepayment=False, use_rebate=False) -> bool:
    """Credit first, then stock: an order over the available credit (or of a distributor
    on hold) goes to the credit-hold queue having reserved nothing; otherwise its stock is
    reserved (all or ``InsufficientStock``, which rolls the credit back with the rest).
    True when the status changed here."""
    if order.warehouse_id is None:
        raise ValidationFailed(_("No active warehouse can fulfil this order."))
    if not credit.on_submit(order, approving=order.status == S.APPROVED, use_prepayment=use_prepayment,
                            use_rebate=use_rebate, actor=actor):
        _hold(order, actor, events)
        return True
    stock.reserve(warehouse_id=order.warehouse_id, lines={p.product.pk: p.quantity for p in priced},
                  reference=order.number, actor=actor)
    return False


def _replay(actor, key, request_hash):
    existing = Order.objects.filter(created_by=actor, idempotency_key=key).first() if key and actor else None
    if existing is not None and existing.request_hash != request_hash:
        raise IdempotencyMismatch()
    return existing


def create_order(*, distributor: Distributor, lines, actor=None, submit: bool = False, note: str = "",
                 idempotency_key: str | None = None, request_hash: str = "", copied_from=None,
                 use_prepayment: bool = False, use_rebate: bool = False) -> Order:
    """Create an order (a draft, or submitted at once with ``submit``).

    With an ``idempotency_key``, the same caller sending the same key again gets the
    order the first call created (``order.replayed`` is True); the same key with another
    request is an ``IdempotencyMismatch``. The key is unique in the database, so
    concurrent retries wait for the first and then replay it.
    """
    _check_can_order(distributor, actor)
    try:
        normalised = _normalise(lines)
        priced = price_lines(distributor, normalised)
    except ValidationFailed:
        existing = _replay(actor, idempotency_key, request_hash)
        if existing is not None:
            existing.replayed = True
            return existing
        raise
    subtotal, discount, total = _totals(priced)
    now = timezone.now()
    order = Order(distributor=distributor, status=S.DRAFT, currency=settings.CURRENCY, subtotal_amount=subtotal,
                  discount_amount=discount, total_amount=total, note=(note or "")[:255], created_by=_actor(actor),
                  idempotency_key=idempotency_key or None, request_hash=request_hash if idempotency_key else "",
                  copied_from=copied_from, created_at=now)
    events = [_event(order, OrderEvent.Kind.CREATED, actor=actor, new=S.DRAFT, at=now)]
    if submit:
        if connection.vendor != "postgresql":  # on PostgreSQL the INSERT chooses it (_insert_order)
            order.warehouse = stock.pick_warehouse(distributor, Warehouse.objects.filter(is_active=True))
        order.submitted_at = now
        events.append(_event(order, OrderEvent.Kind.STATUS, actor=actor, old=S.DRAFT, new=S.SUBMITTED, at=now))
        _decide(order, actor, events, now)
    try:
        with transaction.atomic():
            order.lines_cache = _insert_order(order, _new_lines(order, priced))
            if submit and _check_credit_and_reserve(order, priced, actor, events, use_prepayment=use_prepayment,
                                                    use_rebate=use_rebate):
                Order.objects.filter(pk=order.pk).update(
                    status=order.status, current_step=order.current_step, approved_at=order.approved_at)
            entry = build_audit(action=AuditLog.Action.CREATE, instance=order, distributor_id=order.distributor_id,
                                message=_("Order %(number)s created (%(status)s).")
                                % {"number": order.number, "status": order.get_status_display()},
                                changes={"status": [None, order.status], "total_amount": [None, str(total)]},
                                actor=actor)
            _insert_events(events, entry)
            _invoice_if_due(order, actor)
            _after_status(order, actor)
    except IntegrityError:
        existing = _replay(actor, idempotency_key, request_hash)
        if existing is None:
            raise
        existing.replayed = True
        return existing
    order.replayed = False
    return order


def _insert_order(order, lines) -> list[OrderLine]:
    """INSERT the order and its lines. On PostgreSQL in one statement, the number coming
    back from the column's default (a sequence); elsewhere through the ORM."""
    if connection.vendor != "postgresql":
        order.number = f"SO{timezone.localdate():%Y%m%d}{next_value('order_number'):06d}"
        order.save(force_insert=True)
        return OrderLine.objects.bulk_create(lines)
    # A submitted order's warehouse is chosen by the INSERT itself (the rule of stock.pick_warehouse).
    expressions = {}
    if order.submitted_at and order.warehouse_id is None:
        expressions["warehouse"] = (stock.WAREHOUSE_FOR_PROVINCE_SQL, [(order.distributor.region_code or "")[:2]])
    o_cols, o_rows, o_params = insert_parts(Order, [order], exclude={"number"}, expressions=expressions)
    l_cols, l_rows, l_params = insert_parts(OrderLine, lines, exclude={"order"})
    # Only column names from the models and %s placeholders are formatted in; values are parameters.
    sql = (f"WITH o AS (INSERT INTO orders_order ({o_cols}) VALUES {o_rows} "  # noqa: S608
           "RETURNING id, number, warehouse_id), "
           f"l AS (INSERT INTO orders_orderline (order_id, {l_cols}) SELECT o.id, v.* FROM o, (VALUES {l_rows}) "
           f"AS v({l_cols}) RETURNING id, product_id) "
           "SELECT o.id, o.number, o.warehouse_id, l.id, l.product_id FROM o, l")
    with connection.cursor() as cursor:
        cursor.execute(sql, o_params + l_params)
        rows = cursor.fetchall()
    order.pk, order.number, order.warehouse_id = rows[0][0], rows[0][1], rows[0][2]
    line_ids = {product_id: line_id for _o, _n, _w, line_id, product_id in rows}
    for line in lines:
        line.pk, line.order_id = line_ids[line.product_id], order.pk
    mark_saved(order, *lines)
    return lines


def _insert_events(events, entry) -> None:
    """INSERT the timeline events and the audit record (one statement on PostgreSQL)."""
    for event in events:
        event.order_id = event.order.pk
    if connection.vendor != "postgresql":
        OrderEvent.objects.bulk_create(events)
        entry.save()
        return
    e_cols, e_rows, e_params = insert_parts(OrderEvent, events)
    a_cols, a_rows, a_params = insert_parts(AuditLog, [entry])
    with connection.cursor() as cursor:
        cursor.execute(f"WITH e AS (INSERT INTO orders_orderevent ({e_cols}) VALUES {e_rows}) "  # noqa: S608
                       f"INSERT INTO audit_auditlog ({a_cols}) VALUES {a_rows}", e_params + a_params)


def _invoice_if_due(order, actor) -> None:
    """With FINANCE_INVOICE_ON = "approval", an order is invoiced as it is approved."""
    if order.status == S.APPROVED and settings.FINANCE_INVOICE_ON == "approval":
        from dms.finance import invoicing

        invoicing.invoice_order(order_id=order.pk, actor=actor)


def _after_status(order, actor) -> None:
    """Tell the people concerned once the change is committed: the reviewers of the step
    the order now waits for; the distributor's users when someone else changed its order."""
    from . import notify

    status, step = order.status, order.current_step_id
    if status == S.SUBMITTED and step:
        transaction.on_commit(lambda: notify.review_needed(order.pk))
    if getattr(actor, "distributor_id", None) != order.distributor_id and status != S.DRAFT:
        transaction.on_commit(lambda: notify.status_changed(order.pk, status))


def _lock(order_id: int) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("distributor", "current_step").get(pk=order_id)


def _set_status(order, new, *, actor, message="", events=None, extra_fields=()):
    if not order.can_change_to(new):
        raise InvalidTransition(order.get_status_display(), S(new).label)
    old, order.status = order.status, new
    order.save(update_fields=["status", "current_step", "updated_at", *extra_fields])
    OrderEvent.objects.bulk_create([*(events or []), _event(order, OrderEvent.Kind.STATUS, actor=actor, old=old,
                                                            new=new, message=message)])
    _audit(order, AuditLog.Action.TRANSITION, _rendered(message) or _("Status changed."), {"status": [old, new]},
           actor=actor)
    _after_status(order, actor)


def _open_lines(order) -> dict[int, int]:
    return {line.product_id: line.quantity - line.shipped_quantity
            for line in order.lines.all() if line.quantity > line.shipped_quantity}


def _priced_from_lines(order):
    return [PricedLine(product=line.product, quantity=line.quantity, unit_price=line.unit_price,
                       price_source="order", amount=line.amount, discount_amount=line.discount_amount)
            for line in order.lines.select_related("product")]


@transaction.atomic
def submit_order(*, order_id: int, actor=None, use_prepayment: bool = False, use_rebate: bool = False) -> Order:
    order = _lock(order_id)
    if order.status in (S.SUBMITTED, S.APPROVED, S.CREDIT_HOLD):
        return order  # a retry is a no-op
    if not order.can_change_to(S.SUBMITTED):
        raise InvalidTransition(order.get_status_display(), S.SUBMITTED.label)
    _check_can_order(order.distributor, actor)
    now = timezone.now()
    # Prices are fixed when the order is submitted: re-price the draft now.
    priced = price_lines(order.distributor, [(line.product_id, line.quantity) for line in order.lines.all()])
    _replace_lines(order, priced)
    order.warehouse = stock.pick_warehouse(order.distributor)
    order.status, order.submitted_at = S.SUBMITTED, now
    events = [_event(order, OrderEvent.Kind.STATUS, actor=actor, old=S.DRAFT, new=S.SUBMITTED, at=now)]
    _decide(order, actor, events, now)
    _check_credit_and_reserve(order, priced, actor, events, use_prepayment=use_prepayment, use_rebate=use_rebate)
    order.save()
    OrderEvent.objects.bulk_create(events)
    _audit(order, AuditLog.Action.TRANSITION, _("Submitted."), {"status": [S.DRAFT, order.status]}, actor=actor)
    _invoice_if_due(order, actor)
    _after_status(order, actor)
    return order


def _new_lines(order, priced) -> list[OrderLine]:
    return [OrderLine(order=order, product=p.product, quantity=p.quantity, unit_price=p.unit_price,
                      discount_amount=p.discount_amount, amount=p.amount, promotion=p.promotion)
            for p in priced]


def _replace_lines(order, priced):
    order.lines.all().delete()
    OrderLine.objects.bulk_create(_new_lines(order, priced))
    order.subtotal_amount, order.discount_amount, order.total_amount = _totals(priced)


def _may_review(order, actor) -> bool:
    if actor is None or getattr(actor, "distributor_id", None):
        return False
    if actor.is_superuser or actor.has_role("admin"):
        return True
    return order.current_step is not None and actor.has_role(order.current_step.role)


@transaction.atomic
def approve_order(*, order_id: int, actor, note: str = "") -> Order:
    """Pass the order's current review step; after the last enabled one, approve it."""
    order = _lock(order_id)
    if order.status == S.APPROVED:
        return order
    if order.status != S.SUBMITTED:
        raise InvalidTransition(order.get_status_display(), S.APPROVED.label)
    if not _may_review(order, actor):
        raise NotAllowed(_("This order is waiting for another role's review."))
    step = order.current_step
    following = _first_step(after=step) if step else None
    if following is not None:
        order.current_step = following
        order.save(update_fields=["current_step", "updated_at"])
        _event(order, OrderEvent.Kind.STEP, actor=actor,
               message=system_message(gettext_noop("%(step)s passed."), step=step.name, note=note[:200])).save()
        _audit(order, AuditLog.Action.UPDATE, _("%(step)s passed.") % {"step": step.name}, actor=actor)
        _after_status(order, actor)
        return order
    if not credit.on_approve(order, actor=actor):
        stock.release(warehouse_id=order.warehouse_id, lines=_open_lines(order), reference=order.number, actor=actor,
                      reason=_("Credit hold"))
        order.current_step = None
        _set_status(order, S.CREDIT_HOLD, actor=actor, message=system_message(gettext_noop(
            "Held for finance: the amount exceeds the available credit.")))
        return order
    order.current_step, order.approved_at = None, timezone.now()
    events = [_event(order, OrderEvent.Kind.STEP, actor=actor, message=system_message(gettext_noop("%(step)s passed."),
                                                                                      step=step.name))] \
        if step else []
    _set_status(order, S.APPROVED, actor=actor, message=note, events=events, extra_fields=["approved_at"])
    _invoice_if_due(order, actor)
    return order


def approve_orders(*, order_ids, actor, note: str = "") -> tuple[list[Order], dict[int, str]]:
    """Approve several orders (the review queue's bulk action), each in its own
    transaction: one that cannot be approved does not hold back the others. Returns the
    orders passed on and ``{order_id: why not}`` for the rest."""
    done, failed = [], {}
    for order_id in sorted({int(pk) for pk in order_ids}):
        try:
            done.append(approve_order(order_id=order_id, actor=actor, note=note))
        except Order.DoesNotExist:
            failed[order_id] = _("Not found.")
        except DomainError as exc:
            failed[order_id] = str(exc.message)
    return done, failed


def _give_back(order, actor, reason) -> None:
    """A closed order gives back its credit and prepayment, then its stock (the credit
    account is always locked before stock rows)."""
    credit.on_close(order, actor=actor)
    if order.status in Order.RESERVING:
        stock.release(warehouse_id=order.warehouse_id, lines=_open_lines(order), reference=order.number, actor=actor,
                      reason=reason)


def _may_release(actor) -> bool:
    return actor is not None and not getattr(actor, "distributor_id", None) and \
        actor.has_perm("finance.release_credit_hold")


@transaction.atomic
def release_credit_hold(*, order_id: int, actor, note: str = "") -> Order:
    """Finance approves an order held for credit, whatever the limit, if its stock can be
    reserved now (otherwise ``InsufficientStock`` and nothing changes)."""
    order = _lock(order_id)
    if order.status == S.APPROVED:
        return order
    if order.status != S.CREDIT_HOLD:
        raise InvalidTransition(order.get_status_display(), S.APPROVED.label)
    if not _may_release(actor):
        raise NotAllowed(_("Only finance decides on orders on credit hold."))
    credit.force_approve(order, actor=actor)
    if order.warehouse_id is None:
        order.warehouse = stock.pick_warehouse(order.distributor)
    stock.reserve(warehouse_id=order.warehouse_id, lines=_open_lines(order), reference=order.number, actor=actor)
    order.approved_at = timezone.now()
    _set_status(order, S.APPROVED, actor=actor, extra_fields=["approved_at", "warehouse"],
                message=system_message(gettext_noop("Credit hold released by finance. %(note)s"), note=note[:200]))
    _invoice_if_due(order, actor)
    return order


@transaction.atomic
def reject_order(*, order_id: int, actor, reason: str) -> Order:
    order = _lock(order_id)
    if order.status == S.REJECTED:
        return order
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason for the rejection."), fields={"reason": [_("This field is required.")]})
    if order.status == S.SUBMITTED and not _may_review(order, actor):
        raise NotAllowed(_("This order is waiting for another role's review."))
    if order.status == S.CREDIT_HOLD and not _may_release(actor):
        raise NotAllowed(_("Only finance decides on orders on credit hold."))
    if not order.can_change_to(S.REJECTED):
        raise InvalidTransition(order.get_status_display(), S.REJECTED.label)
    _give_back(order, actor, reason)
    order.current_step, order.status_reason = None, reason.strip()[:255]
    _set_status(order, S.REJECTED, actor=actor, message=reason, extra_fields=["status_reason"])
    return order


@transaction.atomic
def cancel_order(*, order_id: int, actor, reason: str = "") -> Order:
    """Distributors may cancel until the order is approved; staff until something ships."""
    order = _lock(order_id)
    if order.status == S.CANCELLED:
        return order
    if getattr(actor, "distributor_id", None) and order.status not in Order.EDITABLE:
        raise InvalidTransition(order.get_status_display(), S.CANCELLED.label)
    if order.status == S.APPROVED and any(line.shipped_quantity for line in order.lines.all()):
        raise InvalidTransition(order.get_status_display(), S.CANCELLED.label)
    if order.status == S.APPROVED and order.shipments.filter(status="picking").exists():
        raise ShipmentBeingPicked()
    if not order.can_change_to(S.CANCELLED):
        raise InvalidTransition(order.get_status_display(), S.CANCELLED.label)
    _give_back(order, actor, reason)
    order.current_step, order.status_reason = None, (reason or "").strip()[:255]
    _set_status(order, S.CANCELLED, actor=actor, message=reason, extra_fields=["status_reason"])
    return order


@transaction.atomic
def update_order_lines(*, order_id: int, lines, actor, note: str | None = None) -> Order:
    """Edit a draft or submitted order. A submitted order gives back its stock, is
    re-priced and re-reserved, and goes through approval again."""
    order = _lock(order_id)
    if not order.is_editable:
        raise InvalidTransition(order.get_status_display(), _("edited"))
    _check_can_order(order.distributor, actor)
    priced = price_lines(order.distributor, _normalise(lines))
    was_submitted = order.status in (S.SUBMITTED, S.CREDIT_HOLD)
    if was_submitted:
        credit.reopen(order, actor=actor)
        if order.status in Order.RESERVING:
            stock.release(warehouse_id=order.warehouse_id, lines=_open_lines(order), reference=order.number,
                          actor=actor, reason=_("Order edited"))
        old_status, order.status = order.status, S.SUBMITTED
    _replace_lines(order, priced)
    if note is not None:
        order.note = note[:255]
    events = [_event(order, OrderEvent.Kind.EDITED, actor=actor,
                     message=system_message(gettext_noop("%(count)s lines, total %(total)s"), count=len(priced),
                                            total=str(order.total_amount)))]
    if was_submitted:
        now = timezone.now()
        events.append(_event(order, OrderEvent.Kind.STATUS, actor=actor, old=old_status, new=S.SUBMITTED, at=now,
                             message=system_message(gettext_noop("Back to review after the edit."))))
        _decide(order, actor, events, now)
        _check_credit_and_reserve(order, priced, actor, events)
    order.save()
    OrderEvent.objects.bulk_create(events)
    _audit(order, AuditLog.Action.UPDATE, _("Order edited."), {"total_amount": [None, str(order.total_amount)]},
           actor=actor)
    _invoice_if_due(order, actor)
    _after_status(order, actor)
    return order


def copy_order(*, order_id: int, actor) -> Order:
    """A new draft with the lines of a past order, at today's prices."""
    source = Order.objects.get(pk=order_id)
    lines = [{"product": line.product_id, "quantity": line.quantity}
             for line in source.lines.filter(product__status="active")]
    if not lines:
        raise ValidationFailed(_("None of this order's products can be ordered any more."))
    return create_order(distributor=source.distributor, lines=lines, actor=actor, copied_from=source,
                        note=source.note)


# --- called by logistics -------------------------------------------------------------

def record_shipped(*, order_id: int, quantities: dict[int, int], actor, shipment_number: str) -> Order:
    """Goods of the order left the warehouse (``{order_line_id: quantity}``): count them
    as shipped and move the order to partially shipped or shipped. Runs inside the
    shipment's transaction."""
    order = _lock(order_id)
    if order.status not in (S.APPROVED, S.PARTIALLY_SHIPPED):
        raise InvalidTransition(order.get_status_display(), S.SHIPPED.label)
    for line_id, qty in quantities.items():
        if not OrderLine.objects.filter(pk=line_id, order=order, shipped_quantity__lte=F("quantity") - qty).update(
                shipped_quantity=F("shipped_quantity") + qty):
            raise ValidationFailed(_("More than the open quantity cannot be shipped."))
    remaining = any(line.quantity > line.shipped_quantity for line in order.lines.all())
    new = S.PARTIALLY_SHIPPED if remaining else S.SHIPPED
    event = _event(order, OrderEvent.Kind.SHIPMENT, actor=actor,
                   message=system_message(gettext_noop("Shipment %(number)s dispatched."), number=shipment_number))
    if new != order.status:
        if new == S.SHIPPED:
            order.shipped_at = timezone.now()
        _set_status(order, new, actor=actor, events=[event], extra_fields=["shipped_at"])
    else:
        event.save()
    return order


def record_delivered(*, order_id: int, actor=None, message: str | tuple = "", confirmed: bool = False) -> Order:
    """A shipment of the order arrived. When the whole order has shipped and every
    shipment is delivered, the order counts as delivered; a confirmed receipt of the last
    shipment completes it at once, otherwise the daily job completes it after
    ORDER_AUTO_COMPLETE_DAYS."""
    order = _lock(order_id)
    _event(order, OrderEvent.Kind.DELIVERY, actor=actor, message=message).save()
    if order.status == S.SHIPPED and not order.shipments.exclude(status__in=["delivered", "cancelled"]).exists():
        if order.delivered_at is None:
            order.delivered_at = timezone.now()
            order.save(update_fields=["delivered_at", "updated_at"])
        if confirmed:
            order.completed_at = timezone.now()
            _set_status(order, S.COMPLETED, actor=actor, message=system_message(gettext_noop("Receipt confirmed.")),
                        extra_fields=["completed_at"])
    return order


def auto_complete(today: dt.date | None = None) -> int:
    """Complete shipped orders delivered more than ORDER_AUTO_COMPLETE_DAYS ago."""
    cutoff = timezone.now() - dt.timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS)
    done = 0
    for pk in Order.objects.filter(status=S.SHIPPED, delivered_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            order = _lock(pk)
            if order.status == S.SHIPPED:
                order.completed_at = timezone.now()
                _set_status(order, S.COMPLETED, actor=None,
                            message=system_message(gettext_noop("Completed automatically after delivery.")),
                            extra_fields=["completed_at"])
                done += 1
    return done


# --- returns -------------------------------------------------------------------------

def returnable_lines(order) -> list[OrderLine]:
    """The order's lines, each with ``pending`` (on open return requests) and
    ``returnable`` (shipped − returned − pending), in two queries."""
    pending = dict(
        ReturnLine.objects.filter(order_line__order=order, request__status__in=[
            ReturnRequest.Status.REQUESTED, ReturnRequest.Status.APPROVED])
        .values("order_line_id").annotate(n=Sum("quantity")).values_list("order_line_id", "n"))
    lines = list(order.lines.select_related("product").order_by("id"))
    for line in lines:
        line.pending = pending.get(line.pk) or 0
        line.returnable = max(line.shipped_quantity - line.returned_quantity - line.pending, 0)
    return lines


@transaction.atomic
def request_return(*, order_id: int, lines: dict[int, int], reason: str, description: str = "",
                   actor) -> ReturnRequest:
    """Ask to send back shipped goods: ``{order_line_id: quantity}``."""
    order = _lock(order_id)
    if order.status not in (S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED):
        raise ValidationFailed(_("Only shipped goods can be returned."))
    if reason not in ReturnRequest.Reason.values:
        raise ValidationFailed(_("Choose a reason."), fields={"reason": [_("Choose a reason.")]})
    order_lines = {line.pk: line for line in returnable_lines(order)}
    wanted = {int(k): int(v) for k, v in lines.items() if int(v) > 0}
    errors = {}
    if not wanted:
        errors["lines"] = [_("Choose at least one line to return.")]
    for line_id, qty in wanted.items():
        line = order_lines.get(line_id)
        if line is None:
            errors[f"lines.{line_id}"] = [_("Not a line of this order.")]
        elif qty > line.returnable:
            errors[f"lines.{line_id}"] = [_("%(sku)s: at most %(n)s can be returned.")
                                          % {"sku": line.product.sku, "n": line.returnable}]
    if errors:
        raise ValidationFailed(_("Some return lines are invalid."), fields=errors)
    day = timezone.localdate()
    ret = ReturnRequest.objects.create(
        number=f"RT{day:%Y%m%d}{next_value(f'RT{day:%Y%m%d}'):04d}", order=order, distributor=order.distributor,
        reason=reason, description=description, created_by=_actor(actor))
    ReturnLine.objects.bulk_create([ReturnLine(request=ret, order_line_id=k, quantity=v) for k, v in wanted.items()])
    _event(order, OrderEvent.Kind.RETURN, actor=actor,
           message=system_message(gettext_noop("Return %(number)s requested."), number=ret.number)).save()
    record(action=AuditLog.Action.CREATE, instance=ret, distributor_id=order.distributor_id,
           message=_("Return requested."), actor=actor)
    from . import notify

    transaction.on_commit(lambda: notify.return_requested(ret.pk))
    return ret


def _lock_return(return_id: int) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().select_related("order").get(pk=return_id)


def _return_status(ret, new, actor, note=""):
    if new not in ReturnRequest.TRANSITIONS.get(ret.status, ()):
        raise InvalidTransition(ret.get_status_display(), ReturnRequest.Status(new).label)
    old, ret.status = ret.status, new
    ret.save()
    with translation.override(None):  # the label's msgid; OrderEvent.text translates it for the reader
        status_label = str(ReturnRequest.Status(new).label)
    _event(ret.order, OrderEvent.Kind.RETURN, actor=actor,
           message=system_message(gettext_noop("Return %(number)s: %(status)s."), number=ret.number, status=status_label,
                                  note=note[:200])).save()
    record(action=AuditLog.Action.TRANSITION, instance=ret, distributor_id=ret.distributor_id,
           changes={"status": [old, new]}, message=note, actor=actor)
    from . import notify

    transaction.on_commit(lambda: notify.return_changed(ret.pk))


@transaction.atomic
def decide_return(*, return_id: int, approve: bool, actor, note: str = "") -> ReturnRequest:
    ret = _lock_return(return_id)
    if not approve and not note.strip():
        raise ValidationFailed(_("Give a reason for the rejection."), fields={"note": [_("This field is required.")]})
    ret.decision_note, ret.decided_at = note.strip()[:255], timezone.now()
    _return_status(ret, ReturnRequest.Status.APPROVED if approve else ReturnRequest.Status.REJECTED, actor, note)
    return ret


@transaction.atomic
def cancel_return(*, return_id: int, actor) -> ReturnRequest:
    ret = _lock_return(return_id)
    _return_status(ret, ReturnRequest.Status.CANCELLED, actor)
    return ret


@transaction.atomic
def receive_return(*, return_id: int, actor) -> ReturnRequest:
    """The returned goods arrived: they go back into the order's warehouse through the ledger."""
    ret = _lock_return(return_id)
    if ret.status == ReturnRequest.Status.RECEIVED:
        return ret
    if ret.status != ReturnRequest.Status.APPROVED:
        raise InvalidTransition(ret.get_status_display(), ReturnRequest.Status.RECEIVED.label)
    lines = list(ret.lines.select_related("order_line"))
    quantities: dict[int, int] = {}
    for rl in lines:
        quantities[rl.order_line.product_id] = quantities.get(rl.order_line.product_id, 0) + rl.quantity
        OrderLine.objects.filter(pk=rl.order_line_id).update(returned_quantity=F("returned_quantity") + rl.quantity)
    stock.receive_return(warehouse_id=ret.order.warehouse_id, lines=quantities, reference=ret.number, actor=actor,
                         reason=ret.get_reason_display())
    ret.received_at = timezone.now()
    _return_status(ret, ReturnRequest.Status.RECEIVED, actor)
    from dms.finance import credit_notes  # the goods are back: credit the distributor

    credit_notes.credit_return(return_id=ret.pk, actor=actor)
    return ret
