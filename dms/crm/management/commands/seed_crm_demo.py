"""Demo customers (idempotent): about fifteen for dist1_admin's distributor with contacts,
follow-ups and needs, and a few for two other distributors."""

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from dms.accounts.models import User
from dms.core.context import acting_as
from dms.core.scoping import scopes_disabled
from dms.crm import services
from dms.crm.models import Customer

SHOPS = [
    ("华强北便利店", "store", "active", "440304", "华强北路1018号", ["社区店"]),
    ("福田天虹超市", "retailer", "active", "440304", "深南中路3018号", ["KA", "商超"]),
    ("南山海岸城生活馆", "store", "active", "440305", "文心五路33号", ["KA"]),
    ("蛇口美佳便利店", "store", "dormant", "440305", "工业八路218号", ["社区店"]),
    ("宝安西乡批发部", "wholesaler", "active", "440306", "西乡大道405号", ["批发"]),
    ("龙岗布吉百货", "retailer", "prospect", "440307", "布吉街道龙岗路12号", []),
    ("罗湖东门副食店", "store", "active", "440303", "东门中路99号", ["社区店"]),
    ("深圳湾科技园食堂", "end_client", "active", "440305", "科苑南路2666号", ["团餐"]),
    ("前海国际酒店", "end_client", "prospect", "440305", "前海大道1号", ["酒店"]),
    ("龙华民治生鲜超市", "retailer", "active", "440309", "民治大道320号", ["商超"]),
    ("广州天河优品汇", "retailer", "active", "440106", "天河路385号", ["KA"]),
    ("东莞虎门批发市场", "wholesaler", "dormant", "4419", "虎门镇连升路8号", ["批发"]),
    ("佛山顺德社区店", "store", "lost", "440606", "大良街道清晖路66号", ["社区店"]),
    ("珠海香洲连锁店", "store", "active", "440402", "凤凰北路1088号", ["连锁"]),
    ("惠州大亚湾员工餐厅", "end_client", "prospect", "441303", "西区响水河工业园", ["团餐"]),
]
PEOPLE = ["李伟", "王芳", "张敏", "刘洋", "陈静", "杨帆", "黄磊", "赵丽", "周杰", "吴婷", "徐强", "孙悦", "马超",
          "朱琳", "胡斌"]
SUMMARIES = [
    ("visit", "上门拜访，介绍秋季新品，店长对小包装很感兴趣", "带样品再次拜访"),
    ("phone", "电话确认上月订单到货情况，反馈包装破损两箱", "跟进破损补发"),
    ("wechat", "微信发送促销方案，客户考虑参加双十一活动", "确认促销陈列位置"),
    ("order", "客户下单 60 箱，要求周五前送达", "确认送货时间"),
    ("meeting", "与采购经理面谈年度合作，价格仍有分歧", "提交阶梯报价"),
]
NEEDS = [
    ("希望提供小规格包装，适合便利店货架", "product", "high"),
    ("每周配送两次，减少库存压力", "delivery", "medium"),
    ("要求价格与竞品持平", "price", "high"),
    ("需要店员产品培训", "training", "low"),
    ("希望提供堆头和海报等物料", "marketing", "medium"),
]


class Command(BaseCommand):
    help = "Demo customers, follow-ups and needs for the demo distributors (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            owner = User.objects.filter(username="dist1_admin").first()
            if owner is None or Customer.objects.filter(distributor_id=owner.distributor_id).exists():
                return
            staff = User.objects.filter(username="dist1_staff").first() or owner
            with acting_as(owner):
                self.seed(owner.distributor_id, [owner, staff], SHOPS, random.Random(5))
            for username, shops in (("dist2_admin", SHOPS[10:13]),):
                other = User.objects.filter(username=username).first()
                if other and not Customer.objects.filter(distributor_id=other.distributor_id).exists():
                    with acting_as(other):
                        self.seed(other.distributor_id, [other], shops, random.Random(7))

    @transaction.atomic
    def seed(self, distributor_id, users, shops, rnd):
        today = timezone.localdate()
        for i, (name, kind, status, region, address, tags) in enumerate(shops):
            user = users[i % len(users)]
            person = PEOPLE[i % len(PEOPLE)]
            customer = services.create_customer(
                distributor_id=distributor_id, actor=user, owner=user, name=name, type=kind, status=status,
                region_code=region, address=address, tags=tags, allow_duplicate=True,
                notes=f"月均进货约 {rnd.randint(20, 200)} 箱",
                contacts=[{"name": person, "title": rnd.choice(["店长", "采购经理", "老板"]),
                           "phone": f"13{rnd.randint(5, 9)}{rnd.randint(10000000, 99999999)}"},
                          {"name": PEOPLE[(i + 5) % len(PEOPLE)], "title": "收货员",
                           "phone": f"0755-{rnd.randint(20000000, 89999999)}"}][: 1 + i % 2])
            if status == "lost":
                continue
            ago = 150 if status == "dormant" else rnd.randint(20, 60)
            for step in range(rnd.randint(1, 3)):
                channel, summary, next_step = SUMMARIES[(i + step) % len(SUMMARIES)]
                date = today - dt.timedelta(days=max(0, ago - step * rnd.randint(5, 20)))
                is_last = step == 2 or rnd.random() < .4
                next_date = date + dt.timedelta(days=rnd.randint(7, 50)) if status != "dormant" else None
                services.add_follow_up(customer_id=customer.pk, actor=user, date=date, channel=channel,
                                       summary=summary, next_step=next_step, next_date=next_date)
                if is_last:
                    break
            for need, category, priority in rnd.sample(NEEDS, rnd.randint(0, 2)):
                services.add_need(customer_id=customer.pk, actor=user, need=need, category=category,
                                  priority=priority)
