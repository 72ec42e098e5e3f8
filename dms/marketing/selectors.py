"""Tenant-scoped reads: the feedback inbox and analysis, and which materials a user may see.

Feedback rows come from the scoped manager (the request's scope applies). Materials are
brand-wide, so their visibility is decided here, from the same scope: everything for
brand-wide staff; published materials of the caller's tier(s) — or of no tier — for a
distributor user (its tier) and a channel manager (his distributors' tiers)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dms.catalog.models import Product
from dms.core import regions
from dms.core.scoping import distributor_scope
from dms.distributors.models import Distributor

from .models import Feedback, Material, MaterialDownload


def feedback_list():
    return Feedback.objects.select_related("distributor", "product", "submitted_by").prefetch_related("action_tags")


def feedback_detail(pk: int) -> Feedback:
    """Raises Feedback.DoesNotExist outside the scope."""
    return (Feedback.objects.select_related("distributor", "product", "submitted_by", "responded_by")
            .prefetch_related("action_tags", "attachments").get(pk=pk))


def new_feedback_count() -> int:
    return Feedback.objects.filter(status=Feedback.Status.NEW).count()


# --- materials -----------------------------------------------------------------------


def visible_materials(user):
    """The materials ``user`` may see and download."""
    scope = distributor_scope(user)
    qs = Material.objects.prefetch_related("tiers")
    if scope is None:
        return qs
    ids = [scope] if isinstance(scope, int) else scope
    tier_ids = set(Distributor.objects.filter(pk__in=ids).values_list("tier_id", flat=True))
    return qs.filter(is_published=True).filter(Q(tiers__isnull=True) | Q(tiers__in=tier_ids)).distinct()


def downloads_by_distributor(material: Material):
    """Per distributor in scope: how many downloads, and the latest."""
    return (MaterialDownload.objects.filter(material=material).values("distributor__name", "distributor__code")
            .annotate(n=Count("pk"), last=Max("downloaded_at")).order_by("-n", "distributor__code"))


# --- analysis ------------------------------------------------------------------------


def _average(total, count) -> Decimal | None:
    """The mean rating to one decimal, from integer sums (no float on any database)."""
    if not count:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _groups(qs, key):
    rows = qs.values(key).annotate(n=Count("pk"), total=Sum("rating")).order_by("-n", key)
    return [{"key": r[key], "count": r["n"], "average": _average(r["total"], r["n"])} for r in rows]


def feedback_analysis(qs) -> dict:
    """Counts and mean ratings of ``qs`` (already filtered) by month, category, product
    and province, with the overall totals."""
    # one row per feedback before grouping: the action-tag join of a filter must not multiply ratings
    qs = Feedback.objects.filter(pk__in=qs.values("pk")).order_by()
    totals = qs.aggregate(n=Count("pk"), total=Sum("rating"))
    months = (qs.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
              .values("month").annotate(n=Count("pk"), total=Sum("rating")).order_by("month"))
    categories = dict(Feedback.Category.choices)
    by_category = [{**g, "label": categories.get(g["key"], g["key"])} for g in _groups(qs, "category")]
    by_product = _groups(qs.exclude(product=None), "product_id")
    names = dict(Product.objects.filter(pk__in=[g["key"] for g in by_product]).values_list("pk", "name"))
    for g in by_product:
        g["label"] = names.get(g["key"], "")
    by_province = _groups(qs, "province_code")
    province_names = dict(regions.provinces())
    for g in by_province:
        g["label"] = province_names.get(g["key"], "") if g["key"] else ""
    status_counts = dict(qs.values_list("status").annotate(n=Count("pk")))
    return {
        "count": totals["n"],
        "average": _average(totals["total"], totals["n"]),
        "open": status_counts.get(Feedback.Status.NEW, 0) + status_counts.get(Feedback.Status.TRIAGED, 0),
        "by_month": [{"key": m["month"], "label": f"{timezone.localtime(m['month']):%Y-%m}" if m["month"] else "",
                      "count": m["n"], "average": _average(m["total"], m["n"])} for m in months],
        "by_category": by_category,
        "by_product": by_product,
        "by_province": by_province,
    }
