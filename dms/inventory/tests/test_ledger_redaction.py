"""The stock ledger is the brand's, but order numbers belong to distributors: a channel
manager sees the references of his own distributors' orders only, on the page and in the
export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from dms.core.testing.factories import ProductFactory, stock
from dms.orders import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orders(distributor, other_distributor, dist_admin, other_dist_admin):
    product = ProductFactory()
    stock(product, 10)
    mine = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                 lines=[{"product": product.pk, "quantity": 1}])
    theirs = services.create_order(distributor=other_distributor, actor=other_dist_admin, submit=True,
                                   lines=[{"product": product.pk, "quantity": 2}])
    return mine, theirs


def test_channel_manager_sees_only_his_distributors_references(client, channel_manager, two_orders):
    mine, theirs = two_orders
    client.force_login(channel_manager)
    page = client.get(reverse("inventory:moves")).content.decode()
    assert mine.number in page
    assert theirs.number not in page
    probe = client.get(reverse("inventory:moves"), {"reference": theirs.number})
    assert list(probe.context["page_obj"].object_list) == []
    export = client.get(reverse("inventory:moves_export"))
    cells = {c.value for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row}
    assert mine.number in cells and theirs.number not in cells


def test_brand_wide_roles_see_every_reference(client, make_staff, two_orders):
    mine, theirs = two_orders
    client.force_login(make_staff("warehouse"))
    page = client.get(reverse("inventory:moves")).content.decode()
    assert mine.number in page and theirs.number in page
