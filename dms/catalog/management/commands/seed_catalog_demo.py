"""Demo catalogue and stock for the 禾丰 (Hefeng) brand: categories in two levels, about
60 drinks, foods and household products, a base price list, tier price lists, two
distributor price lists, three running promotions (one of each rule), three warehouses
with opening stock received through the ledger, and reorder rules — a few products
deliberately below their reorder point.

Run it after ``seed_demo`` (which creates the staff, tiers and distributors). Everything
goes through the services; running it again creates nothing new.
"""

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.catalog import services
from dms.catalog.models import Category, PriceList, Product, Promotion, to_money
from dms.core.context import acting_as
from dms.distributors.models import Distributor, Tier
from dms.inventory import services as stock_services
from dms.inventory.models import ReorderRule, StockDocument, Warehouse

BRAND = "禾丰"
OPENING_NOTE = "demo opening stock"

# top-level category -> [(sub-category, SKU prefix, unit, [(name, specification, pack size, base price)])]
CATALOGUE = {
    "饮料": [
        ("包装水", "HFW", "箱", [
            ("禾丰天然山泉水", "550ml×24瓶", 24, "28.80"), ("禾丰天然山泉水", "380ml×24瓶", 24, "24.00"),
            ("禾丰天然山泉水", "1.5L×12瓶", 12, "30.00"), ("禾丰天然山泉水", "4L×6桶", 6, "33.00"),
            ("禾丰饮用纯净水", "555ml×24瓶", 24, "22.80"), ("禾丰饮用纯净水", "2L×8瓶", 8, "21.60"),
            ("禾丰苏打水(原味)", "400ml×24瓶", 24, "57.60"), ("禾丰苏打水(柠檬味)", "400ml×24瓶", 24, "57.60"),
        ]),
        ("茶饮料", "HFT", "箱", [
            ("禾丰冰红茶", "500ml×15瓶", 15, "45.00"), ("禾丰绿茶(低糖)", "500ml×15瓶", 15, "45.00"),
            ("禾丰茉莉花茶", "500ml×15瓶", 15, "45.00"), ("禾丰乌龙茶(无糖)", "500ml×15瓶", 15, "63.00"),
            ("禾丰柠檬茶", "250ml×24盒", 24, "43.20"), ("禾丰大麦茶", "500ml×15瓶", 15, "54.00"),
            ("禾丰冰红茶", "1L×12瓶", 12, "54.00"),
        ]),
        ("果汁饮料", "HFJ", "箱", [
            ("禾丰橙汁饮料", "450ml×15瓶", 15, "52.50"), ("禾丰苹果汁", "1L×6瓶", 6, "59.40"),
            ("禾丰芒果汁饮料", "450ml×15瓶", 15, "52.50"), ("禾丰100%葡萄汁", "1L×6瓶", 6, "89.40"),
            ("禾丰椰子汁", "245ml×24罐", 24, "72.00"), ("禾丰山楂汁", "350ml×24瓶", 24, "69.60"),
        ]),
    ],
    "食品": [
        ("饼干糕点", "HFB", "箱", [
            ("禾丰苏打饼干(香葱味)", "400g×12袋", 12, "118.80"), ("禾丰全麦消化饼", "300g×12袋", 12, "106.80"),
            ("禾丰夹心饼干(巧克力)", "320g×12袋", 12, "94.80"), ("禾丰蛋黄派", "460g×8盒", 8, "102.40"),
            ("禾丰手撕面包", "500g×6袋", 6, "59.40"), ("禾丰沙琪玛", "470g×10袋", 10, "139.00"),
            ("禾丰威化饼干(牛奶味)", "200g×24袋", 24, "151.20"), ("禾丰曲奇礼盒", "681g×6盒", 6, "358.80"),
        ]),
        ("方便食品", "HFN", "箱", [
            ("禾丰红烧牛肉面", "五连包×6", 6, "69.00"), ("禾丰老坛酸菜面", "五连包×6", 6, "69.00"),
            ("禾丰香辣牛肉桶面", "110g×12桶", 12, "54.00"), ("禾丰鲜虾鱼板面", "五连包×6", 6, "72.00"),
            ("禾丰自热米饭(宫保鸡丁)", "260g×12盒", 12, "190.80"), ("禾丰螺蛳粉", "300g×12袋", 12, "154.80"),
            ("禾丰即食燕麦片", "1kg×6袋", 6, "119.40"),
        ]),
        ("休闲零食", "HFS", "箱", [
            ("禾丰原味瓜子", "250g×20袋", 20, "130.00"), ("禾丰每日坚果", "25g×30包×4盒", 4, "236.00"),
            ("禾丰薯片(番茄味)", "70g×22袋", 22, "99.00"), ("禾丰牛肉干(五香)", "100g×20袋", 20, "398.00"),
            ("禾丰海苔脆片", "40g×24袋", 24, "115.20"), ("禾丰兰花豆", "200g×20袋", 20, "96.00"),
        ]),
    ],
    "日化": [
        ("洗发沐浴", "HFC", "箱", [
            ("禾丰去屑洗发水", "750ml×12瓶", 12, "358.80"), ("禾丰柔顺护发素", "750ml×12瓶", 12, "334.80"),
            ("禾丰清爽沐浴露", "1L×12瓶", 12, "286.80"), ("禾丰牛奶沐浴露", "1L×12瓶", 12, "310.80"),
            ("禾丰儿童洗发沐浴二合一", "500ml×12瓶", 12, "262.80"), ("禾丰香皂(檀香)", "125g×72块", 72, "259.20"),
            ("禾丰洗手液(青柠)", "500g×12瓶", 12, "166.80"),
        ]),
        ("家居清洁", "HFH", "箱", [
            ("禾丰洗衣液(薰衣草)", "3kg×4瓶", 4, "159.60"), ("禾丰洗衣粉", "1.7kg×8袋", 8, "151.20"),
            ("禾丰洗洁精(柠檬)", "1.29kg×8瓶", 8, "95.20"), ("禾丰84消毒液", "1.2kg×12瓶", 12, "118.80"),
            ("禾丰洁厕灵", "500g×24瓶", 24, "172.80"), ("禾丰地板清洁剂", "2kg×6瓶", 6, "118.80"),
            ("禾丰衣物护理剂", "2.5kg×4瓶", 4, "139.60"), ("禾丰卷纸(四层)", "140g×10卷×6提", 6, "119.40"),
            ("禾丰抽纸(三层)", "100抽×24包", 24, "76.80"), ("禾丰厨房湿巾", "80片×12包", 12, "94.80"),
        ]),
    ],
}
# SKU -> (moq, multiple)
ORDER_RULES = {
    "HFW001": (10, 5), "HFW002": (10, 5), "HFW005": (20, 10), "HFT001": (6, 3), "HFT002": (6, 3),
    "HFJ005": (4, 2), "HFB008": (2, 1), "HFN001": (5, 5), "HFS004": (2, 2), "HFC006": (3, 1), "HFH008": (10, 5),
}
DISCONTINUED = {"HFW006", "HFS006"}
# code, name, province codes, default, address
WAREHOUSES = [
    ("HN01", "华南仓", ["44", "45", "46", "35"], True, "广东省广州市白云区太和镇物流园 8 号"),
    ("HD01", "华东仓", ["31", "32", "33"], False, "上海市嘉定区南翔镇物流大道 66 号"),
    ("HB01", "华北仓", ["11", "12", "13"], False, "天津市武清区京津物流园 3 号库"),
]
LOW_SKUS = ["HFT001", "HFN001", "HFH001", "HFC001"]  # below their reorder point in 华南仓


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


class Command(BaseCommand):
    help = "Load the demo catalogue, price lists, promotions, warehouses and stock (idempotent; after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        actor = User.objects.filter(username="admin").first()
        with scopes_disabled(), acting_as(actor):
            with transaction.atomic():
                categories = self.categories(actor)
                products = self.products(categories, actor)
                self.price_lists(products, actor)
                self.promotions(products, actor)
                warehouses = self.warehouses(actor)
                pairs = self.stock(products, warehouses, actor)
            # warnings and suggestions are normally evaluated by a task after commit
            stock_services.evaluate_stock(pairs)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(
                f"Catalogue: {Product.objects.count()} products, {PriceList.objects.count()} price lists, "
                f"{Promotion.objects.count()} promotions, {Warehouse.objects.count()} warehouses."))

    # --- catalogue -------------------------------------------------------------------------

    def categories(self, actor) -> dict[str, Category]:
        out = {}
        for order, (top, subs) in enumerate(CATALOGUE.items()):
            parent = Category.objects.filter(parent=None, name=top).first() or services.save_category(
                name=top, sort_order=order, actor=actor)
            for sub_order, (sub, _prefix, _unit, _items) in enumerate(subs):
                out[sub] = Category.objects.filter(parent=parent, name=sub).first() or services.save_category(
                    name=sub, parent=parent, sort_order=sub_order, actor=actor)
        return out

    def products(self, categories, actor) -> dict[str, Product]:
        existing = {p.sku: p for p in Product.objects.filter(sku__startswith="HF")}
        n = 0
        for subs in CATALOGUE.values():
            for sub, prefix, unit, items in subs:
                for i, (name, spec, pack, price) in enumerate(items, start=1):
                    n += 1
                    sku = f"{prefix}{i:03d}"
                    if sku in existing:
                        continue
                    moq, multiple = ORDER_RULES.get(sku, (1, 1))
                    existing[sku] = services.create_product(
                        actor=actor, sku=sku, name=name, specification=spec, unit=unit, pack_size=pack,
                        barcode=ean13(f"6923456{n:05d}"), category=categories[sub], brand=BRAND,
                        base_price=Decimal(price), vat_rate=Decimal("0.13"), moq=moq, multiple=multiple,
                        description=f"{BRAND}{sub}系列 · {spec}",
                    )
                    if sku in DISCONTINUED:
                        existing[sku] = services.set_product_status(
                            product_id=existing[sku].pk, status=Product.Status.DISCONTINUED, actor=actor)
        return existing

    # --- prices ----------------------------------------------------------------------------

    def _list(self, name, actor, items: dict, **data) -> PriceList:
        price_list = PriceList.objects.filter(name=name).first()
        if price_list is None:
            price_list = services.create_price_list(name=name, actor=actor, **data)
            for product, price in items.items():
                services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price=price,
                                             actor=actor)
        return price_list

    def price_lists(self, products, actor):
        today = timezone.localdate()
        year_start = today.replace(month=1, day=1)
        active = [p for p in products.values() if p.status == Product.Status.ACTIVE]
        self._list(f"{year_start.year} 年基础价目表", actor, {p: p.base_price for p in active},
                   kind=PriceList.Kind.BASE, valid_from=year_start)
        for level, factor in ((1, Decimal("0.85")), (2, Decimal("0.92"))):
            tier = Tier.objects.filter(level=level).first()
            if tier is None:
                continue
            self._list(f"{year_start.year} 年{tier.name}价", actor, {p: to_money(p.base_price * factor) for p in active},
                       kind=PriceList.Kind.TIER, tier=tier, valid_from=year_start)
        # an upcoming tier-1 price change, to show effective dates
        tier1 = Tier.objects.filter(level=1).first()
        if tier1:
            drinks = [p for p in active if p.sku.startswith(("HFW", "HFT"))][:6]
            self._list(f"{tier1.name}夏季饮料调价", actor, {p: to_money(p.base_price * Decimal("0.82")) for p in drinks},
                       kind=PriceList.Kind.TIER, tier=tier1, valid_from=today + dt.timedelta(days=30))
        distributors = list(Distributor.objects.filter(tier__level=1).order_by("code")[:2])
        rnd = random.Random(7)
        for d, factor in zip(distributors, (Decimal("0.80"), Decimal("0.82")), strict=False):
            chosen = rnd.sample(active, 10)
            self._list(f"{d.name}专供价", actor, {p: to_money(p.base_price * factor) for p in chosen},
                       kind=PriceList.Kind.DISTRIBUTOR, distributor=d, valid_from=year_start)

    def promotions(self, products, actor):
        now = timezone.now().replace(microsecond=0)
        start, end = now - dt.timedelta(days=3), now + dt.timedelta(days=40)
        tier2 = Tier.objects.filter(level=2).first()
        specs = [
            ("茶饮料夏日九折", {"rule": Promotion.Rule.PERCENT_OFF, "value": Decimal("10")},
             [s for s in products if s.startswith("HFT")], []),
            ("洗衣液特价周", {"rule": Promotion.Rule.FIXED_PRICE, "value": Decimal("139.00")}, ["HFH001"],
             [tier2] if tier2 else []),
            ("方便面买十送一", {"rule": Promotion.Rule.BUY_N_GET_M, "buy_quantity": 10, "free_quantity": 1},
             ["HFN001", "HFN002", "HFN004"], []),
        ]
        for name, rule, skus, tiers in specs:
            if Promotion.objects.filter(name=name).exists():
                continue
            services.save_promotion(name=name, starts_at=start, ends_at=end, is_active=True, actor=actor,
                                    products=[products[s] for s in skus if s in products], tiers=tiers, **rule)

    # --- warehouses and stock --------------------------------------------------------------

    def warehouses(self, actor) -> list[Warehouse]:
        out = []
        for code, name, provinces, default, address in WAREHOUSES:
            warehouse = Warehouse.objects.filter(code=code).first()
            if warehouse is None:
                warehouse = stock_services.create_warehouse(code=code, name=name, provinces=provinces,
                                                            is_default=default, address=address, actor=actor)
            out.append(warehouse)
        return out

    def stock(self, products, warehouses, actor) -> list[tuple[int, int]]:
        rnd = random.Random(42)
        active = sorted((p for p in products.values() if p.status == Product.Status.ACTIVE), key=lambda p: p.sku)
        share = {"HN01": 1.0, "HD01": 0.6, "HB01": 0.4}
        for warehouse in warehouses:
            if StockDocument.objects.filter(warehouse=warehouse, note=OPENING_NOTE).exists():
                continue
            lines = {}
            for p in active:
                if warehouse.code == "HN01" and p.sku in LOW_SKUS:
                    lines[p.pk] = rnd.randint(8, 20)
                else:
                    lines[p.pk] = max(int(rnd.randint(120, 600) * share.get(warehouse.code, 0.5)), 30)
            stock_services.record_receipt(warehouse=warehouse, lines=lines, actor=actor,
                                          supplier=f"{BRAND}食品饮料有限公司", note=OPENING_NOTE)
        # reorder rules: the low products and ~16 others in 华南仓, a few in 华东仓
        pairs = []
        hn = next((w for w in warehouses if w.code == "HN01"), warehouses[0])
        hd = next((w for w in warehouses if w.code == "HD01"), None)
        ruled = [products[s] for s in LOW_SKUS if s in products] + [p for p in active if p.sku not in LOW_SKUS][::3][:16]
        plan = [(hn, p) for p in ruled] + ([(hd, p) for p in ruled[:4]] if hd else [])
        for warehouse, p in plan:
            pairs.append((warehouse.pk, p.pk))
            if ReorderRule.objects.filter(warehouse=warehouse, product=p).exists():
                continue
            stock_services.create_reorder_rule(warehouse=warehouse, product_id=p.pk, actor=actor, reorder_point=40,
                                               safety_stock=15, target_level=240, lead_time_days=7, velocity_days=30)
        return pairs
