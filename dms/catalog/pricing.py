"""Price resolution: what a distributor pays, in one query for any number of products.

Order of precedence (documented in ``dms.catalog.models``): distributor price list →
tier price list → base price list → the product's base price; within a level the list
with the latest ``valid_from`` wins. Then the promotion that makes the line cheapest.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import ValidationFailed

from .models import PriceList, PriceListItem, Product, Promotion, to_money


def _list_price(day: dt.date, **target):
    items = (
        PriceListItem.objects.filter(
            product=OuterRef("pk"), price_list__is_active=True, price_list__valid_from__lte=day, **target
        )
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=day))
        .order_by("-price_list__valid_from", "-price_list_id")
        .values("price")[:1]
    )
    return Subquery(items)


def with_prices(queryset, distributor, day: dt.date | None = None):
    """Annotate products with ``distributor_price``, ``tier_price`` and ``list_price``
    (``price_for`` picks the one that applies)."""
    day = day or timezone.localdate()
    return queryset.annotate(
        distributor_price=_list_price(day, price_list__kind=PriceList.Kind.DISTRIBUTOR,
                                      price_list__distributor_id=distributor.pk),
        tier_price=_list_price(day, price_list__kind=PriceList.Kind.TIER, price_list__tier_id=distributor.tier_id),
        list_price=_list_price(day, price_list__kind=PriceList.Kind.BASE),
    )


def price_for(product) -> tuple[Decimal, str]:
    """The unit price of an annotated product and where it came from."""
    for attr, source in (("distributor_price", "distributor"), ("tier_price", "tier"), ("list_price", "base")):
        value = getattr(product, attr, None)
        if value is not None:
            return to_money(value), source
    return to_money(product.base_price), "product"


def best_promotion(promotions, unit_price: Decimal, quantity: int) -> tuple[Decimal, Promotion | None]:
    """What ``quantity`` units cost with the promotion that makes them cheapest, and that
    promotion (None when none lowers the amount)."""
    amount, best = to_money(unit_price * quantity), None
    for promotion in promotions:
        candidate = promotion.line_amount(unit_price, quantity)
        if candidate < amount:
            amount, best = candidate, promotion
    return amount, best


def promotions_for(distributor, product_ids, at: dt.datetime | None = None) -> dict[int, list[Promotion]]:
    """The promotions running at ``at`` for these products and the distributor's tier."""
    at = at or timezone.now()
    through = Promotion.products.through
    rows = (
        through.objects.filter(
            product_id__in=product_ids, promotion__is_active=True,
            promotion__starts_at__lte=at, promotion__ends_at__gt=at,
        )
        .filter(Q(promotion__tiers__isnull=True) | Q(promotion__tiers=distributor.tier_id))
        .select_related("promotion")
        .distinct()
    )
    found: dict[int, list[Promotion]] = {}
    for row in rows:
        found.setdefault(row.product_id, []).append(row.promotion)
    return found


# PostgreSQL: the products, their three candidate prices and their running promotions in
# one statement (the order path's hot spot: no ORM query building, one round trip). Same
# rules as ``with_prices`` + ``promotions_for``; tests/test_pricing.py runs on both paths.
_LIST_PRICE_SQL = """(SELECT i.price FROM catalog_pricelistitem i
        JOIN catalog_pricelist l ON l.id = i.price_list_id
        WHERE i.product_id = p.id AND l.is_active AND l.valid_from <= %(day)s
          AND (l.valid_to IS NULL OR l.valid_to >= %(day)s) AND {target}
        ORDER BY l.valid_from DESC, l.id DESC LIMIT 1)"""
_PRICED_PRODUCTS_SQL = """SELECT {columns},
    {distributor_price}, {tier_price}, {list_price},
    (SELECT json_agg(json_build_object('id', pr.id, 'name', pr.name, 'rule', pr.rule, 'value', pr.value::text,
                                       'buy', pr.buy_quantity, 'free', pr.free_quantity) ORDER BY pr.id)
       FROM catalog_promotion_products pp JOIN catalog_promotion pr ON pr.id = pp.promotion_id
      WHERE pp.product_id = p.id AND pr.is_active AND pr.starts_at <= %(now)s AND pr.ends_at > %(now)s
        AND (NOT EXISTS (SELECT 1 FROM catalog_promotion_tiers t WHERE t.promotion_id = pr.id)
             OR EXISTS (SELECT 1 FROM catalog_promotion_tiers t WHERE t.promotion_id = pr.id
                        AND t.tier_id = %(tier)s)))
FROM catalog_product p WHERE p.id = ANY(%(ids)s)"""
_PRODUCT_FIELDS = [f.attname for f in Product._meta.concrete_fields]
_PROMOTION_FIELDS = ["id", "name", "rule", "value", "buy_quantity", "free_quantity"]
_FAST_SQL = _PRICED_PRODUCTS_SQL.format(
    columns=", ".join(f'p."{Product._meta.get_field(a).column}"' for a in _PRODUCT_FIELDS),
    distributor_price=_LIST_PRICE_SQL.format(target="l.kind = 'distributor' AND l.distributor_id = %(distributor)s"),
    tier_price=_LIST_PRICE_SQL.format(target="l.kind = 'tier' AND l.tier_id = %(tier)s"),
    list_price=_LIST_PRICE_SQL.format(target="l.kind = 'base'"),
)


def _priced_products(distributor, ids) -> tuple[dict[int, Product], dict[int, list[Promotion]]]:
    """``({product_id: product annotated like with_prices}, {product_id: [running promotions]})``."""
    if connection.vendor != "postgresql":
        products = {p.pk: p for p in with_prices(Product.objects.filter(pk__in=ids), distributor)}
        return products, (promotions_for(distributor, ids) if products else {})
    params = {"day": timezone.localdate(), "now": timezone.now(), "distributor": distributor.pk,
              "tier": distributor.tier_id, "ids": list(ids)}
    with connection.cursor() as cursor:
        cursor.execute(_FAST_SQL, params)
        rows = cursor.fetchall()
    n = len(_PRODUCT_FIELDS)
    products, promotions = {}, {}
    for row in rows:
        product = Product.from_db(connection.alias, _PRODUCT_FIELDS, row[:n])
        product.distributor_price, product.tier_price, product.list_price, promos = row[n:]
        products[product.pk] = product
        if isinstance(promos, str):
            promos = json.loads(promos)
        if promos:
            promotions[product.pk] = [
                Promotion.from_db(connection.alias, _PROMOTION_FIELDS, (
                    x["id"], x["name"], x["rule"], Decimal(x["value"]), x["buy"], x["free"]))
                for x in promos
            ]
    return products, promotions


@dataclass
class PricedLine:
    product: Product
    quantity: int
    unit_price: Decimal
    price_source: str
    amount: Decimal
    discount_amount: Decimal = Decimal("0.00")
    promotion: Promotion | None = None
    errors: list = field(default_factory=list)

    @property
    def gross_amount(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)


def price_lines(distributor, lines: list[tuple[int, int]], *, check_quantities: bool = True) -> list[PricedLine]:
    """Price ``[(product_id, quantity), …]`` for ``distributor``.

    Raises ``ValidationFailed`` naming every bad line (unknown or discontinued product,
    quantity below the MOQ or not a multiple) — nothing is priced partially.
    """
    ids = [pid for pid, _qty in lines]
    products, promotions = _priced_products(distributor, ids)
    priced, errors = [], {}
    for index, (pid, quantity) in enumerate(lines):
        product = products.get(pid)
        if product is None:
            errors[f"lines[{index}].product"] = [_("Unknown product.")]
            continue
        if product.status != Product.Status.ACTIVE:
            errors[f"lines[{index}].product"] = [_("%(sku)s is discontinued.") % {"sku": product.sku}]
            continue
        problem = product.quantity_error(quantity) if check_quantities else None
        if problem:
            errors[f"lines[{index}].quantity"] = [str(problem)]
            continue
        unit_price, source = price_for(product)
        amount, promotion = best_promotion(promotions.get(pid, ()), unit_price, quantity)
        line = PricedLine(product=product, quantity=quantity, unit_price=unit_price, price_source=source,
                          amount=amount, promotion=promotion)
        line.discount_amount = line.gross_amount - amount
        priced.append(line)
    if errors:
        raise ValidationFailed(_("Some order lines are invalid."), fields=errors)
    return priced
