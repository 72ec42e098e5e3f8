"""Demo announcements (one pinned, one for tier 1 only, one expired, one draft, one for
Guangdong, one scheduled) and conversations with messages. Idempotent: announcements are
keyed by title, conversations by subject."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.comms import services
from dms.comms.models import Announcement, Thread
from dms.core.context import acting_as
from dms.distributors.models import Distributor, Tier
from dms.orders.models import Order

ANNOUNCEMENTS = [
    # title, body, format, pinned, days from now (publish), days (expiry), audience, publish?
    ("2026年春季订货会报名通知", "各位合作伙伴：\n\n**2026年春季订货会**将于3月18日在广州举行，届时发布新品与全年返利政策。\n\n- 报名截止：3月10日\n- 每家经销商限2人\n- 食宿由品牌方承担\n\n请联系您的渠道经理报名。",
     "markdown", True, -10, 40, {"target_all": True}, True),
    ("一级经销商年度返利政策调整", "自4月1日起，一级经销商季度返利阶梯调整为：\n\n1. 季度回款满100万：返利2%\n2. 满300万：返利3%\n3. 满500万：返利3.5%\n\n详细条款见附件政策说明。",
     "markdown", False, -6, None, {"target_all": False, "tiers": "1"}, True),
    ("春节期间物流安排", "春节期间（2月8日—2月17日）仓库暂停发货，节前最后一批订单请于2月5日前提交。\n节后2月18日起恢复正常发货。",
     "plain", False, -60, -30, {"target_all": True}, True),
    ("广东区域终端陈列奖励活动", "4月—6月在广东区域开展终端陈列奖励：按门店陈列照片审核结果，每店奖励200元货补。\n\n活动细则请向渠道经理索取。",
     "plain", False, -2, 60, {"target_all": False, "provinces": ["44"]}, True),
    ("新品上市：禾丰有机花生油", "禾丰有机花生油 5L 已上市，首批订货享九五折，详见订货目录。", "plain", False, -1, 30,
     {"target_all": True}, True),
    ("五一促销活动预告（草稿）", "五一期间全品类满减活动方案待定，请勿外传。", "plain", False, None, None, {"target_all": True},
     False),
]

THREADS = [
    # distributor index, subject, with order?, messages (author key, body)
    (0, "订单到货少了两箱", True, [("dist1_admin", "您好，昨天收到的货少了两箱花生油，麻烦核实一下。"),
                               ("manager", "收到，我马上联系仓库核对出库记录，今天下午给您回复。"),
                               ("dist1_staff", "补充一下：是5L装的，外箱有破损。")]),
    (0, "春季订货会报名", False, [("manager", "张总好，春季订货会下周开始报名，贵司计划几位参加？"),
                             ("dist1_admin", "我们去两位，我和采购经理。")]),
    (1, "发票抬头变更", False, [("dist2_admin", "我司已完成工商变更，请把后续发票抬头改为新名称。")]),
]


class Command(BaseCommand):
    help = "Load the communication demo data (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            admin = User.objects.filter(username="admin").first()
            if admin is None:
                return
            with acting_as(admin), transaction.atomic():
                self.announcements(admin)
                self.threads()

    def announcements(self, admin):
        now = timezone.now()
        for title, body, fmt, pinned, start, end, audience, publish in ANNOUNCEMENTS:
            if Announcement.objects.filter(title=title).exists():
                continue
            data = {"title": title, "body": body, "body_format": fmt, "pinned": pinned,
                    "publish_at": now + dt.timedelta(days=start) if start is not None else None,
                    "expires_at": now + dt.timedelta(days=end) if end is not None else None, **audience}
            if data.get("tiers"):
                data["tiers"] = [Tier.objects.get(level=int(data["tiers"])).pk]
            expired = end is not None and end < 0
            if expired:
                data["expires_at"] = None
            a = services.create_announcement(data=data, actor=admin)
            if publish:
                services.publish_announcement(announcement_id=a.pk, actor=admin)
            if expired:
                Announcement.objects.filter(pk=a.pk).update(expires_at=now + dt.timedelta(days=end))
        first = User.objects.filter(username="dist1_staff").first()
        if first:
            for a in Announcement.objects.filter(title__in=["春节期间物流安排", "新品上市：禾丰有机花生油"]):
                services.mark_announcement_read(announcement=a, user=first)

    def threads(self):
        users = {u.username: u for u in User.objects.filter(username__in=["dist1_admin", "dist1_staff", "dist2_admin"])}
        if "dist1_admin" not in users or "dist2_admin" not in users:
            return
        distributors = [users["dist1_admin"].distributor, users["dist2_admin"].distributor]
        for index, subject, with_order, messages in THREADS:
            distributor = Distributor.objects.get(pk=distributors[index].pk)
            if Thread.objects.filter(distributor=distributor, subject=subject).exists():
                continue
            manager = distributor.channel_manager or User.objects.get(username="admin")
            authors = {**users, "manager": manager}
            order = Order.objects.filter(distributor=distributor).order_by("-id").first() if with_order else None
            (first_author, first_body), *rest = messages
            thread = services.start_thread(distributor=distributor, subject=subject, body=first_body,
                                           actor=authors[first_author], order=order)
            for author, body in rest:
                services.post_message(thread_id=thread.pk, body=body, actor=authors[author])
