"""Reads of the catalog for the back office.

Products, categories and promotions belong to the brand: every staff member with the
view permission sees all of them. A price list for one distributor is that
distributor's data: a channel manager sees only those of his own distributors
(``price_lists_for``), so another's answers 404 like any tenant object.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from dms.core.scoping import distributor_scope

from .models import Category, PriceList, PriceListItem, Product, to_money
from .pricing import best_promotion, price_for, promotions_for, with_prices
from .services import descendant_ids


def effective_on(queryset, day: dt.date):
    """Price lists active and effective on ``day``."""
    return queryset.filter(is_active=True, valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def is_effective(price_list, day: dt.date) -> bool:
    """Whether ``price_list`` applies on ``day`` (the test of ``effective_on`` for one list)."""
    return price_list.is_active and price_list.valid_from <= day and (
        price_list.valid_to is None or price_list.valid_to >= day)


def price_lists_for(user):
    qs = PriceList.objects.select_related("tier", "distributor")
    scope = distributor_scope(user)
    if scope is None:
        return qs
    ids = [scope] if isinstance(scope, int) else list(scope)
    return qs.filter(Q(distributor__isnull=True) | Q(distributor_id__in=ids))


def category_tree() -> list[dict]:
    """Every category in tree order: [{category, depth, product_count}]."""
    cats = list(Category.objects.annotate(product_count=Count("products")))
    children: dict[int | None, list] = {}
    for c in cats:
        children.setdefault(c.parent_id, []).append(c)
    out, seen = [], set()

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            if c.pk in seen:
                continue
            seen.add(c.pk)
            out.append({"category": c, "depth": depth, "has_children": bool(children.get(c.pk))})
            walk(c.pk, depth + 1)

    walk(None, 0)
    # products in the category and all below it, for the tree page
    for row in reversed(out):
        c = row["category"]
        c.total_count = c.product_count + sum(child.total_count for child in children.get(c.pk, []))
    return out


def category_choices(tree: list[dict] | None = None) -> list[tuple[int, str]]:
    """(id, indented name) of every category in tree order; ``tree`` is a ``category_tree()``
    already read."""
    return [(row["category"].pk, "　" * row["depth"] + row["category"].name) for row in tree or category_tree()]


def subtree_ids(tree: list[dict], index: int) -> set[int]:
    """``descendant_ids`` of the category in row ``index`` of a ``category_tree()``, without a query:
    in tree order its sub-categories are the deeper rows right after it."""
    depth = tree[index]["depth"]
    ids = {tree[index]["category"].pk}
    for row in tree[index + 1:]:
        if row["depth"] <= depth:
            break
        ids.add(row["category"].pk)
    return ids


def in_category(queryset, category_id: int):
    return queryset.filter(category_id__in=descendant_ids(category_id))


def product_prices(product, user, day: dt.date | None = None) -> list[PriceListItem]:
    """The product's price in each price list the user may see, best candidates first."""
    day = day or timezone.localdate()
    visible = price_lists_for(user).values("pk")
    items = list(
        PriceListItem.objects.filter(product=product, price_list__in=visible)
        .select_related("price_list", "price_list__tier", "price_list__distributor")
        .order_by("price_list__kind", "-price_list__valid_from", "-price_list_id")
    )
    rank = {PriceList.Kind.DISTRIBUTOR: 0, PriceList.Kind.TIER: 1, PriceList.Kind.BASE: 2}
    items.sort(key=lambda i: rank.get(i.price_list.kind, 3))  # stable: keeps the date order within a kind
    for item in items:
        item.effective = is_effective(item.price_list, day)
    return items


@dataclass
class PriceLevel:
    source: str  # distributor / tier / base / product
    label: str
    candidates: list  # PriceListItems effective that day, the winner first
    applies: bool = False


def explain_price(distributor, product, day: dt.date | None = None, quantity: int = 1) -> dict:
    """What ``distributor`` pays for ``product`` on ``day`` and why: every level of the
    precedence with its candidate lists, the level that applies, and the promotions."""
    from django.utils.translation import gettext as _

    day = day or timezone.localdate()
    annotated = with_prices(Product.objects.filter(pk=product.pk), distributor, day).get()
    price, source = price_for(annotated)
    levels = []
    specs = [
        ("distributor", _("Price list for this distributor"),
         {"price_list__kind": PriceList.Kind.DISTRIBUTOR, "price_list__distributor_id": distributor.pk}),
        ("tier", _("Price list for the tier “%(tier)s”") % {"tier": distributor.tier},
         {"price_list__kind": PriceList.Kind.TIER, "price_list__tier_id": distributor.tier_id}),
        ("base", _("Base price list"), {"price_list__kind": PriceList.Kind.BASE}),
    ]
    for key, label, target in specs:
        items = list(
            PriceListItem.objects.filter(product=product, **target).select_related("price_list")
            .filter(price_list__is_active=True, price_list__valid_from__lte=day)
            .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=day))
            .order_by("-price_list__valid_from", "-price_list_id")
        )
        levels.append(PriceLevel(key, label, items, applies=key == source))
    levels.append(PriceLevel("product", _("The product's own base price"), [], applies=source == "product"))
    promotions = promotions_for(distributor, [product.pk], timezone.make_aware(
        dt.datetime.combine(day, dt.time(12))) if day != timezone.localdate() else None).get(product.pk, [])
    quantity = max(int(quantity or 1), 1)
    gross = to_money(price * quantity)
    best_amount, best = best_promotion(promotions, price, quantity)
    offers = [{"promotion": promotion, "amount": promotion.line_amount(price, quantity)} for promotion in promotions]
    return {"price": price, "source": source, "levels": levels, "offers": offers, "best": best,
            "quantity": quantity, "gross": gross, "net": best_amount, "day": day}
