"""Demo market feedback and marketing materials: about 20 feedback items over the last six
months from the demo distributors (across products, regions and categories, in every
state), and 8 materials (brochures as PDF, posters as images, videos as links; some
restricted to a tier, one unpublished) with downloads.

Run after ``seed_demo`` and ``seed_catalog_demo``. Everything goes through the services;
running it again creates nothing new."""

import datetime as dt
import io
import random

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image, ImageDraw

from dms.accounts.models import User
from dms.catalog.models import Product
from dms.core.context import acting_as
from dms.core.pdf import html_to_pdf
from dms.distributors.models import Distributor, Tier
from dms.marketing import services
from dms.marketing.models import ActionTag, Feedback, Material

# (category, title, details, rating, product name part or None, competitor, competitor price, region or None)
FEEDBACK = [
    ("competitor", "康师傅矿泉水在社区店买一送一", "本周起周边社区便利店康师傅550ml买一送一，我们的同规格动销明显放缓，希望总部评估跟进活动。", 5, "天然山泉水", "康师傅", "1.50", None),
    ("price", "苏打水终端价偏高", "柠檬味苏打水终端零售价4.5元，同类竞品普遍3.8元，门店反馈价格阻力大。", 4, "苏打水", "依能", "3.80", None),
    ("demand", "夏季大桶水需求上升", "写字楼客户询问4L桶装水的月度配送，预计6-8月需求翻倍，建议提前备货。", 4, "4L×6桶", "", None, None),
    ("product", "纯净水瓶盖偶有漏液", "最近两批555ml纯净水有少量瓶盖漏液，门店投诉3起，已拍照附上。", 5, "饮用纯净水", "", None, None),
    ("competitor", "农夫山泉新品进场费补贴", "农夫山泉对新进KA门店给予进场费全额补贴，我们的新品谈判受阻。", 4, None, "农夫山泉", None, None),
    ("other", "希望增加电子发票开具频次", "目前按月开票，部分客户要求按单开票，希望财务支持。", 2, None, "", None, None),
    ("demand", "学校食堂团购咨询", "本地三所中学食堂询价绿茶饮料团购，需要团购价格政策。", 3, "茶", "", None, None),
    ("price", "批发价调整后二批商利润变薄", "上月调价后二批商毛利不足8%，部分二批商转向竞品。", 5, None, "", None, None),
    ("product", "1.5L包装手提不便", "消费者反映1.5L×12箱装太重，建议推出6瓶装。", 3, "1.5L×12瓶", "", None, None),
    ("competitor", "怡宝在高速服务区铺货", "怡宝已进入本省主要高速服务区，单价3元，我们尚无渠道。", 4, None, "怡宝", "3.00", None),
    ("demand", "电商渠道拿货需求", "有社区团购平台希望直接拿货，想了解线上渠道政策。", 3, None, "", None, None),
    ("price", "竞品整箱价下探", "竞品550ml×24整箱批发价降至22元，我们28.8元差距较大。", 5, "550ml×24瓶", "景田", "22.00", None),
    ("other", "物流到货时间不稳定", "近一个月有三次到货比承诺晚一天，影响门店补货。", 3, None, "", None, None),
    ("product", "新品口味反馈良好", "苏打水原味试饮活动反响很好，试饮后购买率约30%。", 2, "苏打水(原味)", "", None, None),
    ("competitor", "百岁山冠名本地马拉松", "百岁山冠名本市马拉松，赛道补给全部为其产品，品牌曝光很大。", 3, None, "百岁山", None, None),
    ("demand", "节日礼盒需求", "中秋前多家企业客户询问礼盒装，希望有定制礼盒。", 4, None, "", None, None),
    ("price", "终端促销价执行不一", "同一商圈三家门店促销价不一致，消费者投诉，建议统一价签。", 3, None, "", None, None),
    ("product", "外箱印刷信息不清", "部分外箱生产日期印刷模糊，仓库盘点困难。", 2, "天然山泉水", "", None, None),
    ("competitor", "今麦郎低价冲击乡镇市场", "今麦郎在乡镇市场以1元瓶装水铺货，对我们乡镇分销影响较大。", 4, None, "今麦郎", "1.00", None),
    ("demand", "健身房渠道合作意向", "本地连锁健身房希望合作运动饮料，月需求约200箱。", 3, None, "", None, None),
]
STAGES = ["closed", "responded", "responded", "triaged", "new"]
RESPONSES = ["感谢反馈，已转产品部门评估，两周内给您答复。", "已安排价格复核，下月起执行新的渠道价格政策。",
             "已与市场部沟通，将提供专项促销支持，请与渠道经理对接。", "问题已记录，后续批次已加强质检。"]

MATERIALS = [
    ("2026 春季新品宣传册", "brochure", "新品卖点、规格与建议零售价，适合门店陈列与客户拜访。", "新品,春季", "pdf", [], True),
    ("苏打水产品手册", "brochure", "苏打水系列完整产品介绍与营养成分说明。", "苏打水,产品手册", "pdf", [], True),
    ("夏季促销海报（竖版）", "poster", "夏季“清凉一夏”促销海报，A1 竖版，可直接印刷。", "促销,夏季,海报", "png", [], True),
    ("门店陈列标准图", "image", "终端堆头与货架陈列标准示意图。", "陈列,门店", "png", [1], True),
    ("品牌形象宣传片", "video", "90 秒品牌宣传片，适合门店屏幕循环播放。", "品牌,视频", "link", [], True),
    ("一级经销商渠道政策说明", "brochure", "一级经销商年度返利与渠道政策（仅一级可见）。", "政策,返利", "pdf", [1], True),
    ("二级分销商铺货指南", "brochure", "二级分销商乡镇铺货与陈列指南。", "铺货,乡镇", "pdf", [2], True),
    ("中秋礼盒预告海报（草稿）", "poster", "中秋礼盒预热海报，待定稿。", "中秋,礼盒", "png", [], False),
]
COLOURS = [(37, 99, 235), (22, 163, 74), (245, 158, 11), (220, 38, 38), (124, 58, 237)]


def _png(title: str, index: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), COLOURS[index % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 760, 560), outline=(255, 255, 255), width=6)
    draw.ellipse((300, 180, 500, 380), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{title}.png", buffer.getvalue(), content_type="image/png")


def _pdf(title: str, description: str) -> SimpleUploadedFile:
    html = f"<html><body><h1>禾丰 · {title}</h1><p>{description}</p></body></html>"
    return SimpleUploadedFile(f"{title}.pdf", html_to_pdf(html), content_type="application/pdf")


class Command(BaseCommand):
    help = "Create demo market feedback and marketing materials (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled(), transaction.atomic():
            admin = User.objects.filter(username="admin").first()
            with acting_as(admin):
                self.seed_materials(admin)
                self.seed_feedback()

    def seed_materials(self, admin):
        if Material.objects.exists():
            return
        tiers = {t.level: t for t in Tier.objects.all()}
        for i, (title, category, description, tags, kind, levels, published) in enumerate(MATERIALS):
            data = {"title": title, "category": category, "description": description, "tags": tags,
                    "is_published": published, "tiers": [tiers[lv].pk for lv in levels if lv in tiers]}
            if kind == "pdf":
                data["file"] = _pdf(title, description)
            elif kind == "png":
                data["file"] = _png(title, i)
            else:
                data["link"] = "https://video.example.com/hefeng/brand-2026"
            services.create_material(actor=admin, **data)

    def seed_feedback(self):
        if Feedback.objects.exists():
            return
        services.ensure_default_action_tags()
        rng = random.Random(5)
        distributors = list(Distributor.objects.filter(status="active").select_related("channel_manager")
                            .order_by("code")[:8])
        products = list(Product.objects.order_by("sku"))
        tags = {t.code: t.pk for t in ActionTag.objects.all()}
        now = timezone.now()
        for i, (category, title, details, rating, product_part, rival, price, region) in enumerate(FEEDBACK):
            distributor = distributors[i % len(distributors)] if distributors else None
            if distributor is None:
                return
            submitter = distributor.users.filter(is_active=True).order_by("pk").first()
            product = next((p for p in products if product_part and product_part in f"{p.name}{p.specification}"),
                           None)
            when = now - dt.timedelta(days=int(180 * (len(FEEDBACK) - i) / len(FEEDBACK)) - 1, hours=rng.randint(0, 9))
            with time_machine.travel(when, tick=False):
                fb = services.submit_feedback(
                    distributor_id=distributor.pk, actor=submitter, category=category, title=title, details=details,
                    rating=rating, product_id=product.pk if product else None, region_code=region,
                    competitor_name=rival, competitor_price=price)
            self.advance(fb, STAGES[i % len(STAGES)] if i < len(FEEDBACK) - 4 else "new", distributor, tags, rng)
        self.seed_downloads()

    def advance(self, fb, stage, distributor, tags, rng):
        staff = distributor.channel_manager
        if stage == "new":
            return
        chosen = rng.sample(sorted(tags.values()), k=1)
        services.triage_feedback(feedback_id=fb.pk, actor=staff, priority=rng.choice(["normal", "high", "urgent"]),
                                 action_tag_ids=chosen)
        if stage in ("responded", "closed"):
            services.respond_feedback(feedback_id=fb.pk, actor=staff, response=rng.choice(RESPONSES))
        if stage == "closed":
            services.close_feedback(feedback_id=fb.pk, actor=staff)

    def seed_downloads(self):
        users = list(User.objects.filter(distributor__isnull=False, is_active=True).select_related("distributor")[:12])
        rng = random.Random(9)
        for material in Material.objects.filter(is_published=True).prefetch_related("tiers"):
            levels = {t.level for t in material.tiers.all()}
            for user in users:
                if (not levels or user.distributor.tier.level in levels) and rng.random() < 0.6:
                    for _ in range(rng.randint(1, 3)):
                        services.record_download(material_id=material.pk, user=user)
