"""Stock reads shared by the pages and the API."""

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import ReorderRule, StockLevel, Warehouse
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
