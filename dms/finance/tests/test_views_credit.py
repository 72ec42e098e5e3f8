"""The credit pages: the hold queue and its decisions, a distributor's credit settings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dms.core.testing.factories import ProductFactory, stock
from dms.finance.models import CreditLimitChange, DistributorAccount
from dms.orders import services
from dms.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user(make_staff):
    return make_staff("finance", username="fin1")


@pytest.fixture
def held(distributor):
    product = ProductFactory(base_price=Decimal("80.00"))
    stock(product, 10)
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal("100.00"))
    order = services.create_order(distributor=distributor, submit=True,
                                  lines=[{"product": product.pk, "quantity": 2}])
    order.refresh_from_db()
    assert order.status == Order.Status.CREDIT_HOLD
    return order


def test_finance_sees_the_queue_and_releases(client, finance_user, held):
    client.force_login(finance_user)
    page = client.get(reverse("finance:credit_holds"))
    assert page.status_code == 200 and held.number in page.content.decode()
    response = client.post(reverse("finance:release_hold", args=[held.pk]), {"note": "已回款"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Order.Status.APPROVED
    assert 'class="empty"' in client.get(reverse("finance:credit_holds")).content.decode()


def test_finance_rejects_with_a_reason_only(client, finance_user, held):
    client.force_login(finance_user)
    client.post(reverse("finance:reject_hold", args=[held.pk]), {"reason": ""})
    held.refresh_from_db()
    assert held.status == Order.Status.CREDIT_HOLD
    client.post(reverse("finance:reject_hold", args=[held.pk]), {"reason": "额度不足"})
    held.refresh_from_db()
    assert held.status == Order.Status.REJECTED and held.status_reason == "额度不足"


def test_a_channel_manager_sees_but_cannot_decide(client, channel_manager, held):
    client.force_login(channel_manager)
    page = client.get(reverse("finance:credit_holds")).content.decode()
    assert held.number in page and reverse("finance:release_hold", args=[held.pk]) not in page
    assert client.post(reverse("finance:release_hold", args=[held.pk])).status_code == 403


def test_the_order_page_offers_finance_the_release(client, finance_user, held):
    client.force_login(finance_user)
    page = client.get(reverse("orders:detail", args=[held.pk])).content.decode()
    assert reverse("finance:release_hold", args=[held.pk]) in page


def test_finance_changes_settings_on_the_credit_page(client, finance_user, distributor):
    client.force_login(finance_user)
    url = reverse("finance:credit_update", args=[distributor.pk])
    assert client.get(reverse("finance:credit", args=[distributor.pk])).status_code == 200
    client.post(url, {"field": "credit_limit", "credit_limit": "12,345.60", "reason": "年审"})
    client.post(url, {"field": "credit_limit", "credit_limit": "1.001"})  # refused
    client.post(url, {"field": "on_hold", "on_hold": "1", "reason": "逾期"})
    client.post(url, {"field": "prepayment_only", "prepayment_only": "1"})
    account = DistributorAccount.objects.get(distributor=distributor)
    assert account.credit_limit == Decimal("12345.60") and account.on_hold and account.prepayment_only
    assert account.hold_reason == "逾期" and CreditLimitChange.objects.count() == 1
    page = client.get(reverse("finance:credit", args=[distributor.pk])).content.decode()
    assert "年审" in page and 'name="on_hold" value="0"' in page  # the form now lifts the hold
