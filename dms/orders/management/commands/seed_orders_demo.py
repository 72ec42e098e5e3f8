"""Demo orders: about 40 orders of the active demo distributors over the last 60 days, in
every status — drafts, orders waiting for the order review or the finance review,
approved, partially shipped, shipped, completed, rejected and cancelled — with their
shipments and tracking, a few returns (requested, approved, received) and one delivery
discrepancy.

Run it after ``seed_demo`` and ``seed_catalog_demo``. Every change goes through the
services (orders, logistics, inventory), so stock, the ledger, the timeline and the audit
log agree. When time-machine is installed (development), each step runs at its date in
the past; without it everything is dated now. Orders above REVIEW_LIMIT go to manual
review while the demo is loaded (the real limit, ORDER_AUTO_APPROVE_LIMIT, is far higher
than a demo order). Idempotent: a second run changes nothing.
"""

import datetime as dt
import random
from contextlib import contextmanager, nullcontext
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.catalog.models import Product
from dms.catalog.pricing import price_lines
from dms.core.context import acting_as
from dms.distributors.models import Distributor
from dms.inventory.models import StockLevel, Warehouse
from dms.inventory.services import pick_warehouse
from dms.logistics import services as logistics
from dms.logistics.models import Carrier
from dms.orders import services
from dms.orders.models import Order

try:  # a development dependency: dates in the past when available
    import time_machine
except ImportError:  # pragma: no cover
    time_machine = None

KEY = "demo-order-{:02d}"
REVIEW_LIMIT = Decimal("3000.00")

# (final state, how many, days ago: (min, max), big order → goes to manual review)
PLAN = [
    ("completed", 9, (22, 60), False),
    ("shipped", 5, (4, 14), False),
    ("partially_shipped", 4, (5, 20), False),
    ("approved", 4, (1, 8), False),
    ("approved_after_review", 2, (2, 9), True),
    ("finance_review", 3, (1, 4), True),
    ("order_review", 4, (0, 2), True),
    ("rejected", 3, (6, 45), True),
    ("cancelled", 3, (5, 40), False),
    ("draft", 3, (0, 5), False),
]
REJECT_REASONS = ["价格与合同不符，请按新价目表重新下单", "超出本月配额，请分两批下单", "收货地址待确认"]
CANCEL_REASONS = ["客户取消订单", "门店调整，暂不进货", "重复下单"]
CITIES = ["广州转运中心", "深圳集散中心", "上海转运中心", "北京顺义集散中心", "成都双流转运中心", "杭州萧山转运中心"]


@contextmanager
def at(when):
    """Run the services as if at ``when`` (never in the future)."""
    when = min(when, timezone.now() - dt.timedelta(minutes=5))
    with time_machine.travel(when, tick=True) if time_machine else nullcontext():
        yield


class Command(BaseCommand):
    help = "Load ~40 demo orders with shipments and returns (idempotent; after seed_demo and seed_catalog_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        with scopes_disabled():
            if Order.objects.filter(idempotency_key=KEY.format(1)).exists():
                if not quiet:
                    self.stdout.write("Demo orders already loaded.")
                return
            self.staff = {u.username: u for u in User.objects.filter(
                username__in=["admin", "ops_chen", "fin_zhao", "wh_liu"])}
            if len(self.staff) < 4:
                raise CommandError("Run seed_demo first (the demo staff are missing).")
            distributors = list(Distributor.objects.filter(status=Distributor.Status.ACTIVE).order_by("pk"))
            if not distributors or not Product.objects.filter(status=Product.Status.ACTIVE).exists():
                raise CommandError("Run seed_demo and seed_catalog_demo first (no active distributor or product).")
            self.rnd = random.Random(2611)
            self.carriers = list(Carrier.objects.filter(is_active=True)) or [
                Carrier.objects.get_or_create(code="SF", defaults={"name": "顺丰速运"})[0]]
            with acting_as(self.staff["admin"]), override_settings(ORDER_AUTO_APPROVE_LIMIT=REVIEW_LIMIT), \
                    transaction.atomic():
                made = self.load(distributors)
            if not quiet:
                counts = {s.value: Order.objects.filter(idempotency_key__startswith="demo-order-", status=s).count()
                          for s in Order.Status}
                self.stdout.write(self.style.SUCCESS(
                    f"Demo orders: {len(made)} ({', '.join(f'{k} {v}' for k, v in counts.items() if v)}), "
                    f"{self.returns} returns, 1 discrepancy."))

    # --- building blocks ----------------------------------------------------------------

    def when(self, days_ago: int, hours: float = 0) -> dt.datetime:
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        moment = start + dt.timedelta(hours=self.rnd.uniform(0, 8) + hours)
        if moment > timezone.now():  # today, before now
            moment = timezone.now() - dt.timedelta(minutes=self.rnd.randint(20, 600))
        return moment

    def lines_for(self, distributor, big: bool) -> list[dict]:
        warehouse = pick_warehouse(distributor, Warehouse.objects.filter(is_active=True))
        free = {pid: on_hand - reserved for pid, on_hand, reserved in
                StockLevel.objects.filter(warehouse=warehouse).values_list("product_id", "on_hand", "reserved")}
        candidates = [p for p in Product.objects.filter(status=Product.Status.ACTIVE).order_by("sku")
                      if free.get(p.pk, 0) >= 60]
        if big:
            candidates = [p for p in candidates if p.base_price >= 40] or candidates
        chosen = self.rnd.sample(candidates, min(len(candidates), self.rnd.randint(3, 5) if big else
                                                 self.rnd.randint(1, 4)))
        lines = []
        for p in chosen:
            step = -(-p.moq // p.multiple) * p.multiple  # the smallest allowed quantity
            units = self.rnd.randint(4, 9) if big else self.rnd.randint(1, 4)
            lines.append([p.pk, step * max(units, -(-2 // step))])
        if big:  # make sure it is above the review limit, within the stock at hand
            for _round in range(10):
                priced = price_lines(distributor, [(pid, q) for pid, q in lines])
                if sum(p.amount for p in priced) > REVIEW_LIMIT:
                    break
                for line in lines:
                    if free.get(line[0], 0) >= line[1] * 2 + 10:
                        line[1] *= 2
        return [{"product": pid, "quantity": q} for pid, q in lines]

    def portal_user(self, distributor):
        return distributor.users.filter(is_active=True).order_by("pk").first()

    def ship(self, order, t, *, partial=False, deliver=False, confirm=False, discrepancy=False):
        wh = self.staff["wh_liu"]
        lines = None
        if partial:
            order_lines = list(order.lines.order_by("pk"))
            if len(order_lines) > 1:  # the first half of the lines now, the rest later
                lines = {li.product_id: li.quantity for li in order_lines[: len(order_lines) // 2]}
            else:  # half of the only line
                lines = {order_lines[0].product_id: max(1, order_lines[0].quantity // 2)}
        with at(t):
            shipment = logistics.create_shipment(order_id=order.pk, lines=lines, actor=wh)
        carrier = self.rnd.choice(self.carriers)
        with at(t + dt.timedelta(hours=3)):
            logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, actor=wh,
                                        tracking_number=f"{carrier.code}{self.rnd.randint(10**11, 10**12 - 1)}")
        route = self.rnd.sample(CITIES, 2)
        for hours, where, text in ((14, route[0], "快件已到达"), (30, route[1], "快件已发出")):
            with at(t + dt.timedelta(hours=hours)):
                logistics.add_tracking_event(shipment_id=shipment.pk, occurred_at=timezone.now(), location=where,
                                             description=f"{text}【{where}】", actor=wh)
        user = self.portal_user(order.distributor)
        if deliver:
            with at(t + dt.timedelta(hours=52)):
                logistics.add_tracking_event(shipment_id=shipment.pk, occurred_at=timezone.now(),
                                             location=order.distributor.region_name or "",
                                             description="已签收，签收人：仓库", is_delivery=True, actor=wh)
        if confirm and user is not None:
            with at(t + dt.timedelta(hours=60)):
                logistics.confirm_receipt(shipment_id=shipment.pk, actor=user)
        if discrepancy and user is not None:
            line = shipment.lines.order_by("pk").first()
            with at(t + dt.timedelta(hours=60)):
                logistics.report_discrepancy(shipment_id=shipment.pk, actor=user,
                                             description="到货少 1 箱，外箱有破损",
                                             received={line.pk: max(line.quantity - 1, 0)})
        return shipment

    # --- the plan -------------------------------------------------------------------------

    def load(self, distributors) -> list[Order]:
        ops, fin = self.staff["ops_chen"], self.staff["fin_zhao"]
        specs = [(state, big, self.rnd.randint(*days)) for state, count, days, big in PLAN for _i in range(count)]
        made, completed = [], []
        index, disputed = 0, False
        for state, big, days_ago in sorted(specs, key=lambda s: -s[2]):
            index += 1
            distributor = distributors[index % len(distributors)]
            user = self.portal_user(distributor)
            by_portal = user is not None and index % 2 == 0
            actor = user if by_portal else (distributor.channel_manager or ops)
            t = self.when(days_ago)
            with at(t):
                order = services.create_order(
                    distributor=distributor, lines=self.lines_for(distributor, big), actor=actor,
                    submit=state != "draft", idempotency_key=KEY.format(index), request_hash="demo",
                    note="" if index % 3 else self.rnd.choice(["请尽快安排发货", "周末不收货", "随货附发票"]))
            made.append(order)
            if state in ("draft", "order_review"):
                continue
            order.refresh_from_db()
            if state == "cancelled":  # a distributor may cancel only before approval
                own = by_portal and order.status in Order.EDITABLE
                with at(t + dt.timedelta(hours=5)):
                    services.cancel_order(order_id=order.pk, actor=user if own else ops,
                                          reason=CANCEL_REASONS[index % len(CANCEL_REASONS)])
                continue
            if order.status == Order.Status.SUBMITTED:  # the review pipeline
                with at(t + dt.timedelta(hours=2)):
                    if state == "rejected" and index % 2:
                        services.reject_order(order_id=order.pk, actor=ops,
                                              reason=REJECT_REASONS[index % len(REJECT_REASONS)])
                        continue
                    services.approve_order(order_id=order.pk, actor=ops, note="已核对价格与库存")
                if state == "finance_review":
                    continue
                with at(t + dt.timedelta(hours=6)):
                    if state == "rejected":
                        services.reject_order(order_id=order.pk, actor=fin, reason="账期内有逾期款项，暂缓发货")
                        continue
                    services.approve_order(order_id=order.pk, actor=fin)
            if state in ("approved", "approved_after_review", "rejected", "finance_review"):
                continue
            ship_at = t + dt.timedelta(days=1)
            if state == "partially_shipped":
                self.ship(order, ship_at, partial=True)
            elif state == "shipped":
                delivered = days_ago <= 6 and index % 2 == 0  # within the auto-complete period
                self.ship(order, ship_at, deliver=delivered, discrepancy=delivered and not disputed)
                disputed = disputed or delivered
            else:  # completed: confirmed by the distributor, or delivered long ago and completed by the job
                self.ship(order, ship_at, deliver=True, confirm=index % 3 != 0)
                completed.append(order)
        services.auto_complete()
        self.returns = self.load_returns(completed)
        return made + self.load_credit_holds(distributors[-1], index)

    def load_credit_holds(self, distributor, index) -> list[Order]:
        """The last distributor is on credit hold (overdue payments): its two new orders wait for finance."""
        from dms.finance import credit

        credit.set_hold(distributor_id=distributor.pk, on_hold=True, reason="货款逾期超过30天", actor=self.staff["fin_zhao"])
        made = []
        for i in (1, 2):
            with at(self.when(i)):
                made.append(services.create_order(
                    distributor=distributor, lines=self.lines_for(distributor, False), submit=True,
                    actor=distributor.channel_manager or self.staff["ops_chen"],
                    idempotency_key=KEY.format(index + i), request_hash="demo"))
        return made

    def load_returns(self, completed) -> int:
        ops, wh = self.staff["ops_chen"], self.staff["wh_liu"]
        done = 0
        reasons = [("damaged", "运输途中外箱挤压，部分破损"), ("quality", "个别批次口感异常，客户投诉"),
                   ("wrong_item", "发错规格：应为 550ml，实收 380ml")]
        for n, order in enumerate(completed[-3:]):
            order.refresh_from_db()
            user = self.portal_user(order.distributor)
            line = order.lines.filter(shipped_quantity__gt=1).order_by("pk").first()
            if user is None or line is None or order.completed_at is None:
                continue
            reason, text = reasons[n % len(reasons)]
            t = order.completed_at + dt.timedelta(days=2)
            with at(t):
                ret = services.request_return(order_id=order.pk, lines={line.pk: min(2, line.shipped_quantity)},
                                              reason=reason, description=text, actor=user)
            done += 1
            if n == 0:
                continue  # stays requested
            with at(t + dt.timedelta(hours=4)):
                services.decide_return(return_id=ret.pk, approve=True, actor=ops, note="同意退货，请寄回华南仓")
            if n == 2:
                with at(t + dt.timedelta(days=3)):
                    services.receive_return(return_id=ret.pk, actor=wh)
        return done
