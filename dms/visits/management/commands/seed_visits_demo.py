"""Demo visits: for every active demo distributor, past completed visits at its tier's
frequency (with participants, topics, problems, internal notes, agreed actions — the older
ones done — and a photo now and then), upcoming planned visits, planned visits whose date
has passed and distributors overdue with nothing planned. Run after ``seed_demo``.
Everything goes through the services. Idempotent: a second run changes nothing."""

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.core.context import acting_as
from dms.distributors.models import Distributor
from dms.visits import services
from dms.visits.models import Visit
from dms.visits.schedule import schedule

TOPICS = [
    "季度销售复盘，讨论下季度进货计划与新品铺货节奏",
    "新品上市推广方案沟通，确认首批铺货门店名单",
    "库存结构检查，临期品处理与退换货政策说明",
    "终端陈列检查，堆头与端架资源争取",
    "年度返利政策解读，对账及回款进度沟通",
    "电商渠道价格管控，窜货问题沟通",
]
PROBLEMS = [
    "部分门店陈列不达标，价格标签缺失",
    "两款老品库存周转超过60天",
    "回款较上月延迟约两周",
    "二级分销商反映物流时效偏慢",
    "",
]
NOTES = ["老板对返利政策有顾虑，需区域经理出面沟通", "考虑下季度适当下调授信额度", "竞品近期在该区域加大促销力度", ""]
DIST_ACTIONS = ["整改门店陈列并提交照片", "提交月度库存明细表", "制定临期品清理方案", "补齐新品首批订单"]
STAFF_ACTIONS = ["申请陈列费用支持", "协调仓库优化发货时效", "寄送新品样品与宣传物料", "安排销售培训"]
PARTICIPANTS = ["王总（总经理）、采购李经理", "陈总、仓储主管刘工", "张经理（销售总监）", "赵总、财务孙会计"]


def demo_photo(rnd) -> SimpleUploadedFile:
    """A small generated JPG (a stand-in for a shop-shelf picture)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 240), (rnd.randint(180, 230), rnd.randint(190, 230), rnd.randint(200, 240)))
    draw = ImageDraw.Draw(img)
    for i in range(4):  # shelves with products
        y = 40 + i * 50
        draw.rectangle([20, y + 30, 300, y + 36], fill=(120, 90, 60))
        for x in range(28, 290, 22):
            draw.rectangle([x, y, x + 16, y + 30], fill=(rnd.randint(40, 220), rnd.randint(40, 220), 80))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("门店陈列.jpg", out.getvalue(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Load demo visits (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            if Visit.objects.exists() or not Distributor.objects.filter(status="active").exists():
                return
            self.seed(random.Random(2026))

    @transaction.atomic
    def seed(self, rnd):
        today = timezone.localdate()
        ops = User.objects.filter(username="ops_chen").first()
        portal_demo = set(User.objects.filter(username__in=["dist1_admin", "dist2_admin"])
                          .values_list("distributor_id", flat=True))
        for i, due in enumerate(schedule(today=today)):
            d, manager = due.distributor, due.distributor.channel_manager
            if manager is None:
                continue
            interval = due.interval_days
            shown = d.pk in portal_demo  # the portal demo logins: visited lately, the next visit planned
            mode = 0 if shown else i % 4
            last = today - dt.timedelta(days={0: rnd.randint(4, 12), 1: interval + rnd.randint(4, 20),
                                              2: interval - rnd.randint(3, 8), 3: interval - 2}[mode])
            with acting_as(manager):
                for n, day in enumerate([last - dt.timedelta(days=interval), last]):
                    self.visit(rnd, d, manager, day, ops, old=n == 0)
                if mode == 2:
                    services.create_visit(distributor_id=d.pk, actor=manager, type="on_site",
                                          planned_date=today + dt.timedelta(days=rnd.randint(2, 12)),
                                          topics=rnd.choice(TOPICS))
                elif mode == 3:  # planned, but the date went by
                    services.create_visit(distributor_id=d.pk, actor=manager, type="on_site",
                                          planned_date=today - dt.timedelta(days=rnd.randint(1, 4)),
                                          topics=rnd.choice(TOPICS))
                elif shown:
                    services.create_visit(distributor_id=d.pk, actor=manager, type="video",
                                          planned_date=today + dt.timedelta(days=interval - 10),
                                          topics="月度例行沟通")

    def visit(self, rnd, d, manager, day, ops, old):
        kind = rnd.choice(["on_site", "on_site", "phone", "video"])
        actions = [
            {"description": rnd.choice(DIST_ACTIONS), "owner_type": "distributor",
             "due_date": day + dt.timedelta(days=rnd.choice([7, 14, 21]))},
            {"description": rnd.choice(STAFF_ACTIONS), "owner_type": "staff", "owner_user_id": manager.pk,
             "due_date": day + dt.timedelta(days=rnd.choice([10, 20]))},
        ]
        visit = services.record_visit(
            distributor_id=d.pk, visit_date=day, actor=manager, type=kind, participants=rnd.choice(PARTICIPANTS),
            staff_participant_ids=[ops.pk] if ops and rnd.random() < .3 else [], topics=rnd.choice(TOPICS),
            problems=rnd.choice(PROBLEMS), internal_notes=rnd.choice(NOTES), actions=actions)
        if kind == "on_site" and rnd.random() < .5:
            services.add_photo(visit_id=visit.pk, upload=demo_photo(rnd), actor=manager)
        if old:  # the older visit's actions were done long ago
            for action in visit.actions.all():
                services.complete_action(action_id=action.pk, actor=manager)
