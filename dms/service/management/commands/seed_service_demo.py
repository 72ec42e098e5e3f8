"""Demo after-sales tickets: 12 tickets of the demo distributors in every status, with
conversations, one internal note, a reopened ticket, breached deadlines and ratings.

Run after ``seed_demo`` (and ideally ``seed_orders_demo``, so tickets link to real orders
and shipments). Every step goes through the services at its date in the past (when
time-machine is installed), so the SLA clocks, notifications and audit log agree.
Idempotent: a second run changes nothing.
"""

import datetime as dt
from contextlib import contextmanager, nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.core.context import acting_as
from dms.distributors.models import Distributor
from dms.logistics.models import Shipment
from dms.service import services
from dms.service.models import AssignmentRule, Ticket

try:  # a development dependency: dates in the past when available
    import time_machine
except ImportError:  # pragma: no cover
    time_machine = None

MARKER = "DEMO-"  # batch numbers of the demo tickets start with it

# (distributor index, type, priority, subject, description, days ago, steps); a step is
# (hours after raising, action, *arguments)
PLAN = [
    (0, "quality", "high", "酱油瓶盖密封不严，有渗漏", "本批到货的 500ml 酱油约有 6 瓶瓶盖松动，开箱时已有渗漏，影响门店陈列。", 8, [
        (1, "staff", "您好，已收到反馈。请拍摄瓶盖及批号照片上传，我们安排质检核实。"),
        (3, "dist", "照片已上传，批号见瓶身喷码。"),
        (5, "note", "质检确认：该批次封盖机扭矩偏低，已通知工厂排查。补发 6 瓶，不需退回。"),
        (6, "status", "resolved", "已确认为封盖质量问题，随下一单免费补发 6 瓶，并已要求工厂整改封盖工序。"),
        (30, "rate", 5, "处理很快，补发及时。")]),
    (0, "damaged", "urgent", "整托货物外箱压损", "今早到货的一托饮料外箱严重压损，约 12 箱变形，部分漏液，司机已签字确认。", 1, [
        (0.5, "staff", "收到，已联系承运商核实运输情况，请保留外包装。"),
        (1, "note", "承运商承认装卸不当，索赔流程已发起，等对方回函。"),
        (1.2, "status", "in_progress")]),
    (0, "missing", "normal", "少发两箱调味料", "订单到货清点后少两箱鸡精（1kg×10），送货单上数量正确。", 2, [
        (2, "staff", "我们已核对出库记录，请提供收货时的清点照片或签收单。"),
        (2.1, "status", "waiting_on_distributor")]),
    (0, "technical", "low", "新品冷藏条件咨询", "新上市的低温酸奶门店冷柜温度应设置多少度？保质期内能否断电运输？", 0, []),
    (0, "return", "normal", "临期产品申请退货", "仓库盘点发现 20 箱饼干距到期不足 30 天，申请按合同退货。", 20, [
        (4, "staff", "已审核，符合合同临期退货条款，请按退货流程寄回。"),
        (24, "status", "resolved", "同意退货，退货单已生成，货款将冲抵下期对账。"),
        (48, "status", "closed"),
        (50, "rate", 4, "流程清楚，希望能更快一点。")]),
    (1, "complaint", "high", "配送司机态度问题", "上周四配送司机在卸货时与店员发生争执，拒绝送到仓库门口。", 15, [
        (30, "staff", "非常抱歉给您带来不便，我们已向物流公司投诉并要求整改。"),
        (60, "status", "resolved", "物流公司已对该司机停派并培训，今后配送将送到指定卸货点。"),
        (80, "rate", 2, "回复太慢了。")]),
    (1, "quality", "normal", "奶粉罐体凹陷", "到货的 900g 奶粉有 3 罐罐体凹陷，担心影响密封。", 5, []),
    (1, "damaged", "high", "冷链货品到货温度偏高", "冷链车到货时测温 9℃，超出约定的 2-6℃，货品是否还能销售？", 3, [
        (1, "staff", "请先单独存放并拍下温度记录，我们马上联系品控确认。"),
        (1.5, "status", "in_progress")]),
    (2, "technical", "normal", "电子发票抬头修改", "客户来电：需要把发票抬头改为新注册的公司名称。", 10, [
        (2, "staff", "已收到新的营业执照，财务将在下期开票时更新抬头。"),
        (6, "status", "resolved", "发票抬头已更新，下期起按新名称开票。")]),
    (3, "missing", "urgent", "促销赠品未随货发出", "中秋促销活动的赠品礼盒未随订单发出，门店活动明天开始。", 30, [
        (0.5, "staff", "已安排加急补发赠品，今晚发出。"),
        (2, "status", "resolved", "赠品 50 套已加急发出，顺丰次日达。"),
        (30, "status", "closed")]),
    (0, "quality", "normal", "食用油有沉淀物", "部分桶装食用油底部出现白色沉淀，顾客有疑问。", 12, [
        (3, "staff", "低温下食用油出现絮状沉淀属正常现象，回温后会消失。"),
        (4, "status", "resolved", "已说明低温结晶属正常物理现象，不影响品质。"),
        (26, "reopen",),
        (27, "dist", "回温后仍有少量沉淀，请安排质检。"),
        (28, "status", "in_progress")]),
    (1, "technical", "low", "订货系统无法导出对账单", "在门户下载对账单时提示生成失败。", 1, [
        (1, "staff", "请告知出错的对账期间和浏览器版本，方便我们排查。"),
        (1.1, "status", "waiting_on_distributor")]),
]


@contextmanager
def at(when):
    when = min(when, timezone.now() - dt.timedelta(minutes=5))
    with time_machine.travel(when, tick=True) if time_machine else nullcontext():
        yield


class Command(BaseCommand):
    help = "Load 12 demo after-sales tickets (idempotent; after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        with scopes_disabled():
            if Ticket.objects.filter(batch_number__startswith=MARKER).exists():
                if not quiet:
                    self.stdout.write("Demo tickets already loaded.")
                return
            admin = User.objects.filter(username="admin").first()
            distributors = self.distributors()
            if admin is None or len(distributors) < 4:
                raise CommandError("Run seed_demo first (the demo staff or distributors are missing).")
            if not AssignmentRule.objects.exists():
                ops = User.objects.filter(username="ops_chen").first()
                if ops is not None:
                    AssignmentRule.objects.create(position=10, name="投诉由销售运营处理", ticket_type="complaint",
                                                  assignee=ops)
            with acting_as(admin):
                for n, plan in enumerate(PLAN, 1):
                    self.load(n, plan, distributors, admin)
            if not quiet:
                self.stdout.write(self.style.SUCCESS(f"Demo tickets: {len(PLAN)}."))

    def distributors(self):
        named = [u.distributor for u in User.objects.filter(username__in=["dist1_admin", "dist2_admin"])
                 .select_related("distributor").order_by("username")]
        others = Distributor.objects.filter(status=Distributor.Status.ACTIVE).exclude(
            pk__in=[d.pk for d in named]).order_by("pk")[:2]
        return named + list(others)

    def load(self, n, plan, distributors, admin):
        index, ticket_type, priority, subject, description, days_ago, steps = plan
        distributor = distributors[index]
        portal = distributor.users.filter(is_active=True).order_by("pk").first()
        raised_at = timezone.make_aware(dt.datetime.combine(
            timezone.localdate() - dt.timedelta(days=days_ago), dt.time(9, 30))) + dt.timedelta(minutes=37 * n)
        shipments = list(Shipment.objects.filter(distributor=distributor).exclude(status=Shipment.Status.CANCELLED)
                         .order_by("pk"))
        shipment = shipments[n % len(shipments)] if shipments else None
        links = {}
        if shipment is not None and ticket_type in ("quality", "damaged", "missing", "return"):
            line = shipment.lines.order_by("pk").first()
            links = {"order_id": shipment.order_id, "shipment_id": shipment.pk,
                     "product_id": line.product_id if line else None}
        with at(raised_at):
            ticket = services.create_ticket(
                distributor_id=distributor.pk, type=ticket_type, priority=priority, subject=subject,
                description=description, batch_number=f"{MARKER}{raised_at:%y%m%d}{n:02d}", actor=portal or admin,
                **links)
        staff = ticket.assignee or admin
        for hours, action, *args in steps:
            with at(raised_at + dt.timedelta(hours=hours)):
                self.step(ticket, action, args, staff=staff, portal=portal or admin)

    def step(self, ticket, action, args, *, staff, portal):
        if action in ("staff", "note"):
            services.post_message(ticket_id=ticket.pk, body=args[0], internal=action == "note", actor=staff)
        elif action == "dist":
            services.post_message(ticket_id=ticket.pk, body=args[0], actor=portal)
        elif action == "status":
            actor = portal if args[0] == "closed" and portal.distributor_id else staff
            services.change_status(ticket_id=ticket.pk, status=args[0], resolution=args[1] if len(args) > 1 else "",
                                   actor=actor)
        elif action == "reopen":
            services.change_status(ticket_id=ticket.pk, status=Ticket.Status.OPEN, actor=portal)
        elif action == "rate" and portal.distributor_id:
            services.rate_ticket(ticket_id=ticket.pk, rating=args[0], comment=args[1], actor=portal)
