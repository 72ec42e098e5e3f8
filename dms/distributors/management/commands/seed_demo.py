"""Demo data: a brand, staff of every role, ~30 distributors in two tiers across several
provinces, with contacts, qualifications, contracts (some expiring within 60 days),
reviews and portal users. Idempotent: running it again changes nothing."""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.core.context import acting_as
from dms.distributors import services
from dms.distributors.models import Contract, Distributor, Qualification, Tier
from dms.distributors.validators import USCC_ALPHABET, uscc_check_char

DEMO_PASSWORD = "Demo-pass-2026"  # noqa: S105 - printed for the demo, documented in README

STAFF = [
    ("admin", "系统", "管理员", "admin"),
    ("cm_zhang", "张", "伟", "channel_manager"),
    ("cm_li", "李", "娜", "channel_manager"),
    ("cm_wang", "王", "强", "channel_manager"),
    ("ops_chen", "陈", "静", "sales_ops"),
    ("wh_liu", "刘", "洋", "warehouse"),
    ("fin_zhao", "赵", "敏", "finance"),
]

# (name, region code, territory)
FIRST_TIER = [
    ("华南优选商贸有限公司", "440305", "广东省"),
    ("鹏城通达供应链有限公司", "440304", "深圳市"),
    ("京华源商贸有限公司", "110105", "北京市"),
    ("申江汇通贸易有限公司", "310115", "上海市"),
    ("蓉城佳品商贸有限公司", "510104", "四川省"),
    ("钱塘恒信贸易有限公司", "330106", "浙江省"),
    ("金陵顺达商贸有限公司", "320106", "江苏省"),
    ("江城楚源贸易有限公司", "420106", "湖北省"),
    ("齐鲁嘉禾商贸有限公司", "370102", "山东省"),
    ("中原万家贸易有限公司", "410105", "河南省"),
]
SECOND_TIER = [
    ("佛山禅城惠民商行", "440604", 0), ("东莞鑫源商贸", "4419", 0), ("珠海香洲优品", "440402", 0),
    ("南山科技园便利供应", "440305", 1), ("宝安福永贸易", "440306", 1),
    ("海淀中关村商贸", "110108", 2), ("朝阳望京供应", "110105", 2),
    ("浦东陆家嘴商贸", "310115", 3), ("徐汇田林贸易", "310104", 3),
    ("成都武侯佳惠", "510107", 4), ("绵阳涪城商贸", "510703", 4),
    ("杭州西湖优选", "330106", 5), ("宁波海曙商行", "330203", 5),
    ("南京鼓楼顺丰商贸", "320106", 6), ("苏州姑苏汇通", "320508", 6),
    ("武汉洪山楚天商贸", "420111", 7), ("青岛市南海悦贸易", "370202", 8),
    ("济南历下嘉禾分销", "370102", 8), ("郑州金水万家分销", "410105", 9), ("洛阳涧西商贸", "410305", 9),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "霞"]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def credit_code(n: int) -> str:
    rnd = random.Random(n)
    first17 = "91" + f"{440300 + n:06d}" + "".join(rnd.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def pdf(name: str) -> ContentFile:
    return ContentFile(MINIMAL_PDF, name=name)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        with scopes_disabled():
            staff = self.ensure_staff()
            with acting_as(staff["admin"]):
                if not Distributor.objects.filter(credit_code=credit_code(1)).exists():
                    self.create_network(staff)
            # Products, prices, warehouses and stock; then orders, shipments and returns (each idempotent).
            call_command("seed_catalog_demo", verbosity=0)
            call_command("seed_orders_demo", verbosity=0)
            commands = get_commands()
            for app in settings.DMS_FEATURE_APPS:  # each feature app's demo, when it has one
                if f"seed_{app}_demo" in commands:
                    call_command(f"seed_{app}_demo", verbosity=0)
            if not quiet:
                self.print_logins()

    def ensure_staff(self):
        users = {}
        for username, last, first, role in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"last_name": last, "first_name": first, "email": f"{username}@brand.example.com",
                          "is_staff": role == "admin", "is_superuser": role == "admin"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    @transaction.atomic
    def create_network(self, staff):
        rnd = random.Random(2026)
        today = timezone.localdate()
        managers = [staff["cm_zhang"], staff["cm_li"], staff["cm_wang"]]
        tier1, tier2 = Tier.objects.get(level=1), Tier.objects.get(level=2)
        firsts = []
        n = 0

        def person():
            return rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(["", rnd.choice(GIVEN)])

        def make(name, region, territory, tier, parent, manager):
            nonlocal n
            n += 1
            contact = person()
            d = services.create_distributor(
                name=name, legal_name=name if name.endswith("公司") else name + "有限公司",
                credit_code=credit_code(n), tier=tier, parent=parent, region_code=region,
                sales_territory=territory, address=f"{rnd.randint(1, 999)}号 {rnd.choice(['商务中心', '产业园', '大厦'])}",
                bank_name=rnd.choice(["中国工商银行", "招商银行", "中国建设银行", "中国银行"]),
                bank_account="6222" + "".join(rnd.choice("0123456789") for _ in range(15)),
                channel_manager=manager, tags=rnd.sample(["重点客户", "新开发", "电商", "商超", "餐饮"], 2),
                contacts=[{"name": contact, "title": "总经理", "phone": f"139{rnd.randint(10000000, 99999999)}",
                           "email": f"contact{n}@dist{n}.example.com"}],
            )
            services.add_contact(distributor_id=d.pk, name=person(), title="采购",
                                 phone=f"138{rnd.randint(10000000, 99999999)}")
            return d

        for i, (name, region, territory) in enumerate(FIRST_TIER):
            firsts.append(make(name, region, territory, tier1, None, managers[i % 3]))
        seconds = [make(name, region, firsts[p].sales_territory, tier2, firsts[p], firsts[p].channel_manager)
                   for name, region, p in SECOND_TIER]
        everyone = firsts + seconds

        # documents and contracts for everyone
        for i, d in enumerate(everyone):
            start = today - dt.timedelta(days=rnd.randint(200, 600))
            licence_to = today + dt.timedelta(days=rnd.choice([20, 45, 400, 800, 1200]))
            if i == 4:
                licence_to = today - dt.timedelta(days=10)  # one expired licence
            services.add_qualification(
                distributor_id=d.pk, type=Qualification.Type.BUSINESS_LICENCE, number=d.credit_code,
                issuer="市场监督管理局", valid_from=start, valid_to=licence_to, file=pdf("营业执照.pdf"),
            )
            services.add_qualification(
                distributor_id=d.pk, type=Qualification.Type.BRAND_AUTHORISATION, number=f"SQ{2026}{i:04d}",
                issuer="品牌方", valid_from=start, valid_to=start + dt.timedelta(days=730), file=pdf("品牌授权书.pdf"),
            )
            # contracts: a few end within 60 days
            end = today + dt.timedelta(days=[8, 25, 40, 55, 120, 200, 300, 330][i % 8])
            services.create_contract(
                distributor_id=d.pk, type=Contract.Type.DISTRIBUTION, start_date=end - dt.timedelta(days=364),
                end_date=end, territory=d.sales_territory, product_lines="饮料、休闲食品",
                annual_target_amount=Decimal(rnd.choice([500000, 800000, 1200000, 3000000])),
                deposit_amount=Decimal(rnd.choice([20000, 50000, 100000])), payment_terms="月结30天",
                rebate_terms="年度达成100%返利2%，120%返利3%", signed_file=pdf("经销合同.pdf"), activate=True,
            )

        # lifecycle: submit, approve, activate most of them
        statuses = {}
        for i, d in enumerate(everyone):
            statuses[d.pk] = "active"
            if i in (27,):
                statuses[d.pk] = "prospect"
            elif i in (25, 26):
                statuses[d.pk] = "pending_review"
            elif i == 28:
                statuses[d.pk] = "suspended"
            elif i == 29:
                statuses[d.pk] = "terminated"
        for d in everyone:
            target = statuses[d.pk]
            if target == "prospect":
                continue
            services.submit_distributor(distributor_id=d.pk, actor=staff["admin"])
            if target == "pending_review":
                continue
            review = d.reviews.get(status="pending")
            services.approve_review(review_id=review.pk, actor=d.channel_manager or staff["admin"], comment="资料齐全")
            services.approve_review(review_id=review.pk, actor=staff["admin"], comment="同意合作")
            for q in d.qualifications.all():
                services.verify_qualification(qualification_id=q.pk, actor=d.channel_manager or staff["admin"],
                                              approve=True)
            if target == "suspended":
                services.suspend_distributor(distributor_id=d.pk, reason="逾期未对账，暂停合作", actor=staff["admin"])
            elif target == "terminated":
                services.terminate_distributor(distributor_id=d.pk, reason="合同到期不再续约", actor=staff["admin"])

        # portal logins with known passwords for the first two distributors
        for index, prefix in ((0, "dist1"), (1, "dist2")):
            d = firsts[index]
            admin_user = d.users.first()
            admin_user.username = f"{prefix}_admin"
            admin_user.set_password(DEMO_PASSWORD)
            admin_user.save()
            from dms.accounts.services import create_portal_user

            create_portal_user(distributor_id=d.pk, username=f"{prefix}_staff", password=DEMO_PASSWORD,
                               role="distributor_staff", email=f"{prefix}_staff@dist.example.com", first_name="业务员")
        # a periodic re-review falls due for one distributor
        d = firsts[2]
        d.next_review_date = today - dt.timedelta(days=3)
        d.save(update_fields=["next_review_date"])
        services.open_due_reviews(today)
        services.flag_expired_qualifications(today)

    def print_logins(self):
        lines = [
            "",
            f"Demo logins (password for all: {DEMO_PASSWORD})",
            "  admin      administrator (also /admin/)",
            "  cm_zhang   channel manager (cm_li, cm_wang too)",
            "  ops_chen   sales operations",
            "  wh_liu     warehouse",
            "  fin_zhao   finance",
            "  dist1_admin  distributor admin of 华南优选商贸有限公司 (portal)",
            "  dist1_staff  distributor staff of the same distributor",
            "  dist2_admin  distributor admin of 鹏城通达供应链有限公司 (portal)",
            "",
        ]
        self.stdout.write("\n".join(lines))
