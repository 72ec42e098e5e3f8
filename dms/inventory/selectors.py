"""Stock reads shared by the pages and the API."""

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dms.core.scoping import distributor_scope

from .models import LowStockAlert, ReorderRule, ReplenishmentSuggestion, StockDocument, StockLevel, StockMove, Warehouse
from .services import pick_warehouse

LEVEL_LABELS = {"in_stock": _("In stock"), "low": _("Low stock"), "out": _("Out of stock")}


def availability(distributor, product_ids, warehouse=None) -> dict[int, dict]:
    """What a distributor may see of stock for these products, from the warehouse that
    fulfils its orders: ``{product_id: {"level", "label", "quantity"}}`` where quantity
    is the exact available number only when STOCK_VISIBILITY is "exact" (else None).
    "low" means available is below the product's reorder point there (or below 10 when
    no rule is set)."""
    warehouse = warehouse or pick_warehouse(distributor, Warehouse.objects.filter(is_active=True))
    product_ids = list(product_ids)
    found, points = {}, {}
    if warehouse is not None and product_ids:
        found = dict(StockLevel.objects.filter(warehouse=warehouse, product_id__in=product_ids)
                     .annotate(avail=F("on_hand") - F("reserved")).values_list("product_id", "avail"))
        points = dict(ReorderRule.objects.filter(warehouse=warehouse, product_id__in=product_ids, is_active=True)
                      .values_list("product_id", "reorder_point"))
    exact = settings.STOCK_VISIBILITY == "exact"
    result = {}
    for pid in product_ids:
        available = max(found.get(pid, 0), 0)
        if available <= 0:
            level = "out"
        elif available < points.get(pid, 10):
            level = "low"
        else:
            level = "in_stock"
        result[pid] = {"level": level, "label": LEVEL_LABELS[level], "quantity": available if exact else None}
    return result


# --- back office ----------------------------------------------------------------------

def _active_rule(field: str):
    return Subquery(ReorderRule.objects.filter(warehouse_id=OuterRef("warehouse_id"),
                                               product_id=OuterRef("product_id"), is_active=True)
                    .values(field)[:1], output_field=IntegerField())


def stock_levels():
    """Every stock level with ``avail`` (available, as a column) and the active rule's ``reorder_point`` (None
    without a rule)."""
    return (StockLevel.objects.select_related("warehouse", "product", "product__category")
            .annotate(avail=F("on_hand") - F("reserved"), reorder_point=_active_rule("reorder_point"),
                      rule_id=_active_rule("pk")))


def stock_totals(levels) -> dict:
    totals = levels.order_by().aggregate(on_hand=Coalesce(Sum("on_hand"), 0), reserved=Coalesce(Sum("reserved"), 0),
                                         rows=Count("pk"))
    totals = {k: int(v) for k, v in totals.items()}  # SQLite may sum as floats
    totals["available"] = totals["on_hand"] - totals["reserved"]
    return totals


def stock_moves():
    return StockMove.objects.select_related("warehouse", "product", "actor")


def stock_documents():
    return StockDocument.objects.select_related("warehouse", "to_warehouse", "actor")


def stock_document(pk: int) -> StockDocument:
    return stock_documents().prefetch_related("lines__product").get(pk=pk)


def _available_now():
    """What is available now for the row's warehouse and product (None without a stock level)."""
    level = StockLevel.objects.filter(warehouse_id=OuterRef("warehouse_id"), product_id=OuterRef("product_id"))
    return Subquery(level.annotate(a=F("on_hand") - F("reserved")).values("a")[:1], output_field=IntegerField())


def reorder_rules():
    return (ReorderRule.objects.select_related("warehouse", "product")
            .annotate(available=Coalesce(_available_now(), 0)))


def suggestions():
    return ReplenishmentSuggestion.objects.select_related("warehouse", "product", "closed_by")


def low_stock_alerts():
    return LowStockAlert.objects.select_related("warehouse", "product").annotate(available_now=_available_now())


def default_warehouse_id() -> int | None:
    """The warehouse a stock form starts with."""
    return Warehouse.objects.filter(is_default=True, is_active=True).values_list("pk", flat=True).first()


def on_hand(warehouse, product_ids) -> dict[int, int]:
    """What the books say is on hand (0 for a product never stocked there)."""
    found = dict(StockLevel.objects.filter(warehouse=warehouse, product_id__in=list(product_ids))
                 .values_list("product_id", "on_hand"))
    return {pid: found.get(pid, 0) for pid in product_ids}


def products_in_warehouse(warehouse, limit: int = 500):
    """The products a stock count of this warehouse should cover: every one with a stock
    level there, by SKU."""
    from dms.catalog.models import Product

    return list(Product.objects.filter(stock_levels__warehouse=warehouse).order_by("sku")[:limit])


def find_products(text: str, limit: int = 20):
    """Products whose SKU, name or barcode matches, for the line editor's suggestions."""
    from dms.catalog.models import Product

    text = (text or "").strip()
    if not text:
        return []
    return list(Product.objects.filter(Q(sku__icontains=text) | Q(name__icontains=text) | Q(barcode=text))
                .order_by("sku")[:limit])


def find_product_sku(product_id: int) -> str:
    from dms.catalog.models import Product

    return Product.objects.filter(pk=product_id).values_list("sku", flat=True).first() or ""


def warehouse_totals() -> dict[int, dict]:
    rows = (StockLevel.objects.order_by().values("warehouse_id")
            .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"), products=Count("pk")))
    return {r["warehouse_id"]: {"on_hand": int(r["on_hand"] or 0), "reserved": int(r["reserved"] or 0),
                                "available": int((r["on_hand"] or 0) - (r["reserved"] or 0)),
                                "products": r["products"]} for r in rows}


def ledger_differences() -> tuple[int, list[dict]]:
    """(number of stock levels checked, the ones whose on hand or reserved differ from the
    sums of their stock moves — including ledger sums with no stock level at all)."""
    from dms.catalog.models import Product

    sums = {
        (r["warehouse_id"], r["product_id"]): (int(r["oh"] or 0), int(r["rs"] or 0))
        for r in StockMove.objects.order_by().values("warehouse_id", "product_id")
        .annotate(oh=Sum("on_hand_delta"), rs=Sum("reserved_delta"))
    }
    levels = {(w, p): (oh, rs) for w, p, oh, rs in
              StockLevel.objects.values_list("warehouse_id", "product_id", "on_hand", "reserved")}
    bad = []
    for key in sorted(set(sums) | set(levels)):
        level, ledger = levels.get(key, (0, 0)), sums.get(key, (0, 0))
        if level != ledger:
            bad.append({"warehouse_id": key[0], "product_id": key[1], "on_hand": level[0], "reserved": level[1],
                        "ledger_on_hand": ledger[0], "ledger_reserved": ledger[1]})
    if bad:
        codes = dict(Warehouse.objects.values_list("pk", "code"))
        skus = dict(Product.objects.filter(pk__in={b["product_id"] for b in bad}).values_list("pk", "sku"))
        for b in bad:
            b["warehouse"], b["sku"] = codes.get(b["warehouse_id"], b["warehouse_id"]), skus.get(b["product_id"], "?")
    return len(levels), bad


def hidden_references(user, references) -> set[str]:
    """The ledger is the brand's, but an order, shipment or return number (and who moved
    the stock for it) belongs to a distributor: a user with a limited scope (a channel
    manager) sees only those of his own distributors and of the brand's stock documents."""
    from dms.logistics.models import Shipment
    from dms.orders.models import Order, ReturnRequest

    references = {r for r in references if r}
    if not references or distributor_scope(user) is None:
        return set()
    visible = set(StockDocument.objects.filter(number__in=references).values_list("number", flat=True))
    for model in (Order, Shipment, ReturnRequest):  # scoped managers: the caller's distributors only
        visible |= set(model.objects.filter(number__in=references).values_list("number", flat=True))
    return references - visible
