import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dms.catalog import services
from dms.catalog.models import PriceList
from dms.core.testing.factories import ProductFactory, tier


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def product(db):
    return ProductFactory(sku="P-1", base_price=Decimal("100.00"))


@pytest.fixture
def make_list():
    """A price list with one price for each product given: make_list(kind, {product: price}, **fields)."""

    def make(kind, prices, *, valid_from=None, valid_to=None, is_active=True, name=None, **target):
        if kind == PriceList.Kind.TIER and "tier" not in target:
            target["tier"] = tier(1)
        price_list = services.create_price_list(
            name=name or f"{kind} list", kind=kind, valid_from=valid_from or timezone.localdate() - dt.timedelta(days=10),
            valid_to=valid_to, is_active=is_active, **target)
        for product, price in prices.items():
            services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price=price)
        return price_list

    return make
