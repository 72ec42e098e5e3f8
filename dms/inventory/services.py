"""Every change to stock: each one locks the stock rows it touches (in primary-key
order, so two callers never wait on each other in a cycle), changes them only if the
result stays valid, and appends the ledger lines that explain it, in one transaction.

Re-evaluation of low-stock warnings and replenishment suggestions is queued after
commit for the (warehouse, product) pairs that moved (``evaluate_stock``).
"""

import datetime as dt
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core.errors import Conflict, InvalidTransition, ValidationFailed
from dms.core.models import next_value

from .models import (
    LowStockAlert,
    ReorderRule,
    ReplenishmentSuggestion,
    StockDocument,
    StockDocumentLine,
    StockLevel,
    StockMove,
    Warehouse,
)

Kind = StockMove.Kind


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = gettext_lazy("Not enough stock for some lines.")

    def __init__(self, short: list[dict]):
        self.short = short
        lines = [
            _("%(sku)s: %(requested)s requested, %(available)s available")
            % {"sku": s["sku"], "requested": s["requested"], "available": s["available"]}
            for s in short
        ]
        super().__init__(
            _("Not enough stock: %(lines)s.") % {"lines": "; ".join(lines)},
            fields={"lines": lines},
            extra={"short_lines": short},
        )


def _sku_map(product_ids) -> dict[int, str]:
    from dms.catalog.models import Product

    return dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))


def _shortage(warehouse_id: int, wanted: dict[int, int], got: set[int]) -> InsufficientStock:
    missing = sorted(set(wanted) - got)
    available = dict(
        StockLevel.objects.filter(warehouse_id=warehouse_id, product_id__in=missing)
        .annotate(avail=F("on_hand") - F("reserved"))
        .values_list("product_id", "avail")
    )
    skus = _sku_map(missing)
    return InsufficientStock([
        {"product": pid, "sku": skus.get(pid, str(pid)), "requested": wanted[pid],
         "available": max(available.get(pid, 0), 0)}
        for pid in missing
    ])


def _moves(warehouse_id, deltas: dict[int, tuple[int, int]], kind, reference, reason, actor):
    now = timezone.now()
    StockMove.objects.bulk_create([
        StockMove(warehouse_id=warehouse_id, product_id=pid, kind=kind, on_hand_delta=oh, reserved_delta=rs,
                  reference=reference, reason=reason, actor=actor if getattr(actor, "pk", None) else None,
                  created_at=now)
        for pid, (oh, rs) in sorted(deltas.items())
    ])


def _stock_changed(pairs: Iterable[tuple[int, int]]):
    pairs = sorted(set(pairs))
    if not pairs:
        return
    from .tasks import evaluate_stock_task

    transaction.on_commit(lambda: evaluate_stock_task.delay([list(p) for p in pairs]))


# --- the order path: reserve ----------------------------------------------------------

_RESERVE_SQL = """
WITH req(product_id, qty) AS (VALUES {values}),
locked AS (
    SELECT s.id FROM inventory_stocklevel s JOIN req ON req.product_id = s.product_id
    WHERE s.warehouse_id = %s ORDER BY s.id FOR UPDATE OF s
),
reserved AS (
    UPDATE inventory_stocklevel s
    SET reserved = s.reserved + req.qty, updated_at = now()
    FROM req, locked
    WHERE s.id = locked.id AND s.product_id = req.product_id AND s.on_hand - s.reserved >= req.qty
    RETURNING s.warehouse_id, s.product_id, req.qty, s.on_hand - s.reserved AS available,
        (SELECT r.reorder_point FROM inventory_reorderrule r
         WHERE r.warehouse_id = s.warehouse_id AND r.product_id = s.product_id AND r.is_active) AS point
),
moves AS (
    INSERT INTO inventory_stockmove
        (warehouse_id, product_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id, created_at)
    SELECT warehouse_id, product_id, 'reservation', 0, qty, %s, '', %s, statement_timestamp() FROM reserved
)
SELECT product_id, available, point FROM reserved
"""


def _reserve_rows(warehouse_id: int, wanted: dict[int, int], reference: str, actor) -> list[tuple]:
    """Reserve and return (product, available after, reorder point) for each line that
    had enough; lines without enough are left out. On PostgreSQL one statement locks the
    rows in id order, reserves and appends the ledger lines; if a line is short the
    caller raises and the transaction's rollback takes the rest back."""
    if connection.vendor == "postgresql":
        items = sorted(wanted.items())
        sql = _RESERVE_SQL.format(values=", ".join(["(%s::bigint, %s::integer)"] * len(items)))
        params = [v for item in items for v in item] + [warehouse_id, reference, getattr(actor, "pk", None)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # Other databases (SQLite serialises writers): one conditional UPDATE per line.
    done = []
    for pid, qty in sorted(wanted.items()):
        if StockLevel.objects.filter(
            warehouse_id=warehouse_id, product_id=pid, on_hand__gte=F("reserved") + qty
        ).update(reserved=F("reserved") + qty, updated_at=timezone.now()):
            done.append(pid)
    if not done:
        return []
    if len(done) == len(wanted):
        _moves(warehouse_id, {pid: (0, qty) for pid, qty in wanted.items()}, Kind.RESERVATION, reference, "", actor)
    points = dict(ReorderRule.objects.filter(warehouse_id=warehouse_id, product_id__in=done, is_active=True)
                  .values_list("product_id", "reorder_point"))
    return [
        (pid, avail, points.get(pid))
        for pid, avail in StockLevel.objects.filter(warehouse_id=warehouse_id, product_id__in=done)
        .annotate(avail=F("on_hand") - F("reserved")).values_list("product_id", "avail")
    ]


def reserve(*, warehouse_id: int, lines: dict[int, int], reference: str, actor=None) -> None:
    """Reserve ``{product_id: quantity}`` in a warehouse, all lines or none, with their
    ledger lines.

    Raises ``InsufficientStock`` naming every short line. Must run inside the caller's
    transaction (which the exception rolls back).
    """
    wanted = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not wanted:
        return
    rows = _reserve_rows(warehouse_id, wanted, reference, actor)
    if len(rows) != len(wanted):
        raise _shortage(warehouse_id, wanted, {row[0] for row in rows})
    _stock_changed((warehouse_id, pid) for pid, available, point in rows if point is not None and available < point)


# --- every other change: lock, check, update, record --------------------------------

def _change(*, warehouse_id: int, deltas: dict[int, tuple[int, int]], kind, reference="", reason="", actor=None,
            create_missing=False) -> None:
    deltas = {pid: d for pid, d in deltas.items() if d != (0, 0)}
    if not deltas:
        return
    if create_missing:
        # In product order: two callers inserting the same new rows in opposite orders would
        # each wait for the other's uncommitted row (a deadlock).
        StockLevel.objects.bulk_create(
            [StockLevel(warehouse_id=warehouse_id, product_id=pid) for pid in sorted(deltas)], ignore_conflicts=True
        )
    levels = {
        lv.product_id: lv
        for lv in StockLevel.objects.select_for_update().filter(warehouse_id=warehouse_id, product_id__in=deltas)
        .order_by("pk")
    }
    short = []
    for pid, (oh, rs) in sorted(deltas.items()):
        level = levels.get(pid)
        on_hand = (level.on_hand if level else 0) + oh
        reserved = (level.reserved if level else 0) + rs
        if level is None or on_hand < 0 or reserved < 0 or reserved > on_hand:
            short.append(pid)
    if short:
        skus = _sku_map(short)
        raise InsufficientStock([
            {"product": pid, "sku": skus.get(pid, str(pid)), "requested": abs(deltas[pid][0] or deltas[pid][1]),
             "available": levels[pid].available if pid in levels else 0}
            for pid in short
        ])
    now = timezone.now()
    for pid, (oh, rs) in deltas.items():
        StockLevel.objects.filter(pk=levels[pid].pk).update(
            on_hand=F("on_hand") + oh, reserved=F("reserved") + rs, updated_at=now
        )
    _moves(warehouse_id, deltas, kind, reference, reason, actor)
    _stock_changed((warehouse_id, pid) for pid in deltas)


def release(*, warehouse_id: int, lines: dict[int, int], reference: str, actor=None, reason="") -> None:
    """Give back reserved quantities (order cancelled, rejected, edited)."""
    _change(warehouse_id=warehouse_id, deltas={pid: (0, -q) for pid, q in lines.items()}, kind=Kind.RELEASE,
            reference=reference, reason=reason, actor=actor)


def ship(*, warehouse_id: int, lines: dict[int, int], reference: str, actor=None) -> None:
    """Goods leave: on hand and reserved both go down."""
    _change(warehouse_id=warehouse_id, deltas={pid: (-q, -q) for pid, q in lines.items()}, kind=Kind.SHIPMENT,
            reference=reference, actor=actor)


def receive_return(*, warehouse_id: int, lines: dict[int, int], reference: str, actor=None, reason="") -> None:
    _change(warehouse_id=warehouse_id, deltas={pid: (q, 0) for pid, q in lines.items()}, kind=Kind.RETURN,
            reference=reference, reason=reason, actor=actor, create_missing=True)


def _check_lines(lines: dict[int, int], *, allow_zero=False) -> None:
    if not lines:
        raise ValidationFailed(_("Add at least one line."))
    for pid, qty in lines.items():
        if not isinstance(qty, int) or qty < 0 or (qty == 0 and not allow_zero):
            raise ValidationFailed(_("Quantities must be positive whole numbers."), fields={"lines": [str(pid)]})


def _document(kind, warehouse, *, to_warehouse=None, supplier="", note="", actor=None) -> StockDocument:
    prefix = {StockDocument.Kind.RECEIPT: "GR", StockDocument.Kind.COUNT: "SC", StockDocument.Kind.TRANSFER: "TR"}
    day = timezone.localdate()
    number = f"{prefix[kind]}{day:%Y%m%d}{next_value(f'{prefix[kind]}{day:%Y%m%d}'):04d}"
    return StockDocument.objects.create(kind=kind, number=number, warehouse=warehouse, to_warehouse=to_warehouse,
                                        supplier=supplier, note=note, actor=actor if getattr(actor, "pk", None)
                                        else None)


@transaction.atomic
def record_receipt(*, warehouse: Warehouse, lines: dict[int, int], actor=None, supplier="", note="") -> StockDocument:
    """Goods in: on hand goes up."""
    _check_lines(lines)
    doc = _document(StockDocument.Kind.RECEIPT, warehouse, supplier=supplier, note=note, actor=actor)
    StockDocumentLine.objects.bulk_create([StockDocumentLine(document=doc, product_id=p, quantity=q)
                                           for p, q in lines.items()])
    _change(warehouse_id=warehouse.pk, deltas={p: (q, 0) for p, q in lines.items()}, kind=Kind.RECEIPT,
            reference=doc.number, reason=supplier or note, actor=actor, create_missing=True)
    return doc


@transaction.atomic
def adjust_stock(*, warehouse: Warehouse, product_id: int, quantity: int, reason: str, actor=None) -> StockMove:
    """A signed correction of on hand. Refused (409) if on hand would go below zero or
    below what is reserved."""
    if not isinstance(quantity, int) or quantity == 0:
        raise ValidationFailed(_("Enter a non-zero whole quantity."), fields={"quantity": [_("Must not be zero.")]})
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason for the adjustment."), fields={"reason": [_("This field is required.")]})
    _change(warehouse_id=warehouse.pk, deltas={product_id: (quantity, 0)}, kind=Kind.ADJUSTMENT,
            reason=reason.strip(), actor=actor, create_missing=quantity > 0)
    return StockMove.objects.filter(warehouse=warehouse, product_id=product_id).order_by("-pk").first()


@transaction.atomic
def record_count(*, warehouse: Warehouse, counted: dict[int, int], actor=None, note="") -> StockDocument:
    """A stock count: each counted quantity replaces on hand, through an adjustment move
    for the difference. Refused if a count is below what is reserved."""
    _check_lines(counted, allow_zero=True)
    doc = _document(StockDocument.Kind.COUNT, warehouse, note=note, actor=actor)
    StockLevel.objects.bulk_create([StockLevel(warehouse=warehouse, product_id=p) for p in sorted(counted)],
                                   ignore_conflicts=True)
    current = dict(StockLevel.objects.select_for_update().filter(warehouse=warehouse, product_id__in=counted)
                   .order_by("pk").values_list("product_id", "on_hand"))
    StockDocumentLine.objects.bulk_create([
        StockDocumentLine(document=doc, product_id=p, quantity=q, expected=current.get(p, 0))
        for p, q in counted.items()
    ])
    _change(warehouse_id=warehouse.pk, deltas={p: (q - current.get(p, 0), 0) for p, q in counted.items()},
            kind=Kind.ADJUSTMENT, reference=doc.number, reason=note or _("Stock count"), actor=actor)
    return doc


@transaction.atomic
def transfer_stock(*, source: Warehouse, target: Warehouse, lines: dict[int, int], actor=None, note="") -> StockDocument:
    if source.pk == target.pk:
        raise ValidationFailed(_("Choose two different warehouses."), fields={"to_warehouse": [_("Same warehouse.")]})
    _check_lines(lines)
    doc = _document(StockDocument.Kind.TRANSFER, source, to_warehouse=target, note=note, actor=actor)
    StockDocumentLine.objects.bulk_create([StockDocumentLine(document=doc, product_id=p, quantity=q)
                                           for p, q in lines.items()])
    # Lock the two warehouses' rows in a fixed order, whatever the direction.
    first, second = sorted([(source.pk, {p: (-q, 0) for p, q in lines.items()}, Kind.TRANSFER_OUT),
                            (target.pk, {p: (q, 0) for p, q in lines.items()}, Kind.TRANSFER_IN)])
    for wid, deltas, kind in (first, second):
        _change(warehouse_id=wid, deltas=deltas, kind=kind, reference=doc.number, reason=note, actor=actor,
                create_missing=kind == Kind.TRANSFER_IN)
    return doc


# --- warnings and replenishment --------------------------------------------------------

def daily_velocity(warehouse_id: int, product_id: int, days: int) -> Decimal:
    """Average daily demand: quantities reserved for orders over the last ``days`` days,
    less what was released again."""
    since = timezone.now() - dt.timedelta(days=days)
    total = StockMove.objects.filter(
        warehouse_id=warehouse_id, product_id=product_id, created_at__gte=since,
        kind__in=[Kind.RESERVATION, Kind.RELEASE],
    ).aggregate(s=Sum("reserved_delta"))["s"] or 0
    return (Decimal(max(total, 0)) / Decimal(days)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def stockout_date(available: int, velocity: Decimal, today: dt.date) -> dt.date | None:
    if velocity <= 0:
        return None
    return today + dt.timedelta(days=max(int(Decimal(max(available, 0)) / velocity), 0))


def evaluate_stock(pairs: Iterable[tuple[int, int]], today: dt.date | None = None) -> None:
    """Raise or resolve low-stock warnings and open, refresh or close replenishment
    suggestions for these (warehouse, product) pairs. Idempotent: running it twice
    changes nothing.

    A warning opens when available < reorder point and resolves at the point. A
    suggestion opens when available ≤ trigger (the reorder point, or safety stock plus
    the demand expected during the lead time if that is higher) and is dismissed by the
    system once available is back at the target level."""
    from .notify import low_stock_raised

    today = today or timezone.localdate()
    for warehouse_id, product_id in sorted(set(pairs)):
        with transaction.atomic():
            # Locking the rule (not the stock row, which the order path needs) serialises two
            # evaluations of one pair, so neither creates a second open warning or suggestion.
            rule = ReorderRule.objects.select_for_update().filter(
                warehouse_id=warehouse_id, product_id=product_id, is_active=True).first()
            if rule is None:
                continue
            level = StockLevel.objects.filter(warehouse_id=warehouse_id, product_id=product_id).first()
            available = level.available if level else 0
            velocity = daily_velocity(warehouse_id, product_id, rule.velocity_days)
            out_date = stockout_date(available, velocity, today)
            lead_demand = math.ceil(velocity * rule.lead_time_days)
            trigger = max(rule.reorder_point, rule.safety_stock + lead_demand)
            open_alert = LowStockAlert.objects.select_for_update().filter(
                warehouse_id=warehouse_id, product_id=product_id, resolved_at__isnull=True).first()
            if available < rule.reorder_point and open_alert is None:
                alert = LowStockAlert.objects.create(warehouse_id=warehouse_id, product_id=product_id,
                                                     available=available, reorder_point=rule.reorder_point,
                                                     stockout_date=out_date)
                transaction.on_commit(lambda a=alert.pk: low_stock_raised(a))
            elif available >= rule.reorder_point and open_alert is not None:
                open_alert.resolved_at = timezone.now()
                open_alert.save(update_fields=["resolved_at"])
            elif open_alert is not None and open_alert.stockout_date != out_date:
                open_alert.stockout_date = out_date
                open_alert.save(update_fields=["stockout_date"])

            suggestion = ReplenishmentSuggestion.objects.select_for_update().filter(
                warehouse_id=warehouse_id, product_id=product_id, status=ReplenishmentSuggestion.Status.OPEN).first()
            if available <= trigger:
                quantity = max(rule.target_level - available + lead_demand, 1)
                reason = _(
                    "Available %(available)s ≤ trigger %(trigger)s (reorder point %(point)s, safety stock %(safety)s,"
                    " %(velocity)s/day over %(days)s days × %(lead)s days lead time)."
                ) % {"available": available, "trigger": trigger, "point": rule.reorder_point,
                     "safety": rule.safety_stock, "velocity": velocity, "days": rule.velocity_days,
                     "lead": rule.lead_time_days}
                values = {"quantity": quantity, "available": available, "daily_velocity": velocity,
                          "stockout_date": out_date, "reason": reason[:255]}
                if suggestion is None:
                    ReplenishmentSuggestion.objects.create(warehouse_id=warehouse_id, product_id=product_id,
                                                           **values)
                elif any(getattr(suggestion, k) != v for k, v in values.items() if k != "reason"):
                    for k, v in values.items():
                        setattr(suggestion, k, v)
                    suggestion.save()
            elif suggestion is not None and available >= rule.target_level:
                # Replenished (goods arrived without anyone marking it ordered): nothing left to do.
                suggestion.status = ReplenishmentSuggestion.Status.DISMISSED
                suggestion.save(update_fields=["status", "updated_at"])


@transaction.atomic
def close_suggestion(*, suggestion_id: int, status: str, actor) -> ReplenishmentSuggestion:
    suggestion = ReplenishmentSuggestion.objects.select_for_update().get(pk=suggestion_id)
    if status not in (ReplenishmentSuggestion.Status.ORDERED, ReplenishmentSuggestion.Status.DISMISSED):
        raise ValidationFailed(_("Unknown status."))
    if suggestion.status != ReplenishmentSuggestion.Status.OPEN:
        raise InvalidTransition(suggestion.get_status_display(), status)
    suggestion.status, suggestion.closed_by = status, actor
    suggestion.save(update_fields=["status", "closed_by", "updated_at"])
    return suggestion


# The same choice as pick_warehouse, as an SQL expression (PostgreSQL) for the order INSERT.
WAREHOUSE_FOR_PROVINCE_SQL = (
    "(SELECT w.id FROM inventory_warehouse w WHERE w.is_active "
    "ORDER BY (w.provinces ? %s) DESC, w.is_default DESC, w.code LIMIT 1)"
)


def pick_warehouse(distributor, warehouses=None) -> Warehouse | None:
    """The warehouse that fulfils a distributor's orders: the active one serving its
    province, else the default one (``WAREHOUSE_FOR_PROVINCE_SQL`` is the same rule)."""
    warehouses = list(warehouses if warehouses is not None else Warehouse.objects.filter(is_active=True))
    province = (distributor.region_code or "")[:2]
    for w in warehouses:
        if province and province in (w.provinces or []):
            return w
    return next((w for w in warehouses if w.is_default), warehouses[0] if warehouses else None)


def evaluate_all_rules(today: dt.date | None = None) -> int:
    """The daily safety net behind the event-driven path: re-evaluate every active rule."""
    pairs = list(ReorderRule.objects.filter(is_active=True).values_list("warehouse_id", "product_id"))
    evaluate_stock(pairs, today)
    return len(pairs)


# --- reorder rules ----------------------------------------------------------------------

RULE_FIELDS = ("reorder_point", "safety_stock", "target_level", "lead_time_days", "velocity_days")


def _check_rule(values: dict) -> None:
    errors = {}
    for name in RULE_FIELDS:
        value = values.get(name)
        if not isinstance(value, int) or value < 0:
            errors[name] = [_("Enter a whole number, 0 or more.")]
    if not errors:
        if values["target_level"] < values["reorder_point"]:
            errors["target_level"] = [_("The target level must be at least the reorder point.")]
        if values["safety_stock"] > values["reorder_point"]:
            errors["safety_stock"] = [_("Safety stock cannot be above the reorder point.")]
        if values["velocity_days"] < 1:
            errors["velocity_days"] = [_("Measure sales over at least one day.")]
        if values["target_level"] < 1:
            errors["target_level"] = [_("The target level must be at least 1.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def create_reorder_rule(*, warehouse: Warehouse, product_id: int, actor=None, **values) -> ReorderRule:
    """A reorder rule for one product in one warehouse (at most one per pair); the pair is
    evaluated at once after commit, so a product already below the point is flagged."""
    _check_rule(values)
    if ReorderRule.objects.filter(warehouse=warehouse, product_id=product_id).exists():
        message = _("This product already has a reorder rule in this warehouse; edit that one.")
        raise ValidationFailed(message, fields={"product": [message]})
    rule = ReorderRule.objects.create(warehouse=warehouse, product_id=product_id,
                                      **{k: values[k] for k in RULE_FIELDS})
    _stock_changed([(warehouse.pk, product_id)])
    return rule


@transaction.atomic
def update_reorder_rule(*, rule_id: int, actor=None, **values) -> ReorderRule:
    _check_rule(values)
    rule = ReorderRule.objects.select_for_update().get(pk=rule_id)
    changed = [k for k in RULE_FIELDS if getattr(rule, k) != values[k]]
    for k in changed:
        setattr(rule, k, values[k])
    if changed:
        rule.save(update_fields=changed)
    _stock_changed([(rule.warehouse_id, rule.product_id)])
    return rule


@transaction.atomic
def set_reorder_rule_active(*, rule_id: int, active: bool, actor=None) -> ReorderRule:
    """Switch a rule off (its open warning is resolved and its open suggestion dismissed:
    nobody watches that product any more) or on again (evaluated after commit)."""
    rule = ReorderRule.objects.select_for_update().get(pk=rule_id)
    if rule.is_active == active:
        return rule
    rule.is_active = active
    rule.save(update_fields=["is_active"])
    if active:
        _stock_changed([(rule.warehouse_id, rule.product_id)])
    else:
        LowStockAlert.objects.filter(warehouse_id=rule.warehouse_id, product_id=rule.product_id,
                                     resolved_at__isnull=True).update(resolved_at=timezone.now())
        ReplenishmentSuggestion.objects.filter(
            warehouse_id=rule.warehouse_id, product_id=rule.product_id, status=ReplenishmentSuggestion.Status.OPEN,
        ).update(status=ReplenishmentSuggestion.Status.DISMISSED, closed_by=actor if getattr(actor, "pk", None)
                 else None, updated_at=timezone.now())
    return rule


# --- warehouses -------------------------------------------------------------------------

WAREHOUSE_FIELDS = ("code", "name", "address", "provinces", "is_default")


def _check_warehouse(values: dict, exclude_pk=None) -> dict:
    from dms.core import regions

    code = (values.get("code") or "").strip().upper()
    name = (values.get("name") or "").strip()
    provinces = sorted({str(p).strip() for p in values.get("provinces") or [] if str(p).strip()})
    errors = {}
    if not code:
        errors["code"] = [_("This field is required.")]
    elif Warehouse.objects.exclude(pk=exclude_pk).filter(code__iexact=code).exists():
        errors["code"] = [_("Another warehouse already has this code.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    known = dict(regions.provinces())
    unknown = [p for p in provinces if p not in known]
    if unknown:
        errors["provinces"] = [_("Unknown province code: %(codes)s.") % {"codes": ", ".join(unknown)}]
    else:
        taken = []
        for other in Warehouse.objects.exclude(pk=exclude_pk).filter(is_active=True).exclude(provinces=[]):
            taken += [f"{known[p]} ({other.code})" for p in provinces if p in (other.provinces or [])]
        if taken:
            errors["provinces"] = [_("Already served by another warehouse: %(list)s.") % {"list": ", ".join(taken)}]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"code": code, "name": name, "address": (values.get("address") or "").strip(), "provinces": provinces,
            "is_default": bool(values.get("is_default"))}


def _drop_default(exclude_pk=None) -> None:
    """Take the default flag from the current default warehouse (the database allows one);
    saved row by row so the audit log records it."""
    for previous in Warehouse.objects.select_for_update().filter(is_default=True).exclude(pk=exclude_pk):
        previous.is_default = False
        previous.save(update_fields=["is_default"])


@transaction.atomic
def create_warehouse(*, actor=None, **values) -> Warehouse:
    """A new warehouse. The first one is the default whatever was asked; asking for the
    default moves the flag from the previous default."""
    clean = _check_warehouse(values)
    if not Warehouse.objects.filter(is_default=True).exists():
        clean["is_default"] = True
    if clean["is_default"]:
        _drop_default()
    return Warehouse.objects.create(**clean)


@transaction.atomic
def update_warehouse(*, warehouse_id: int, actor=None, **values) -> Warehouse:
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    clean = _check_warehouse(values, exclude_pk=warehouse.pk)
    if warehouse.is_default and not clean["is_default"]:
        message = _("There must be a default warehouse: make another one the default instead.")
        raise ValidationFailed(message, fields={"is_default": [message]})
    if clean["is_default"] and not warehouse.is_active:
        raise ValidationFailed(fields={"is_default": [_("An inactive warehouse cannot be the default.")]})
    if clean["is_default"] and not warehouse.is_default:
        _drop_default(exclude_pk=warehouse.pk)
    changed = [k for k, v in clean.items() if getattr(warehouse, k) != v]
    for k in changed:
        setattr(warehouse, k, clean[k])
    if changed:
        warehouse.save(update_fields=changed)
    return warehouse


@transaction.atomic
def set_warehouse_active(*, warehouse_id: int, active: bool, actor=None) -> Warehouse:
    """Deactivate (no new orders are routed there; refused for the default warehouse and
    while it holds reserved stock) or reactivate a warehouse."""
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    if warehouse.is_active == active:
        return warehouse
    if not active:
        if warehouse.is_default:
            raise ValidationFailed(_("The default warehouse cannot be deactivated: make another one the default "
                                     "first."))
        if StockLevel.objects.filter(warehouse=warehouse, reserved__gt=0).exists():
            raise ValidationFailed(_("This warehouse holds stock reserved for orders: ship or release it first."))
    elif warehouse.provinces:
        _check_warehouse({"code": warehouse.code, "name": warehouse.name, "provinces": warehouse.provinces},
                         exclude_pk=warehouse.pk)
    warehouse.is_active = active
    warehouse.save(update_fields=["is_active"])
    return warehouse
