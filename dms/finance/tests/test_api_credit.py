"""The credit API: reading and changing a limit, orders answered credit_hold, finance
releasing a hold."""

from decimal import Decimal

import pytest

from dms.core.testing.factories import ProductFactory, bearer, stock
from dms.finance.models import CreditLimitChange, DistributorAccount
from dms.orders.models import Order

pytestmark = pytest.mark.django_db


def url(distributor):
    return f"/api/v1/distributors/{distributor.pk}/credit/"


@pytest.fixture
def finance_user(make_staff):
    return make_staff("finance", username="fin1")


def test_a_distributor_reads_its_own_credit(client, distributor, dist_admin, other_distributor):
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal("9000.00"),
                                                                      receivable=Decimal("1000.00"))
    body = client.get(url(distributor), **bearer(dist_admin)).json()
    assert body == {"credit_limit": "9000.00", "receivable": "1000.00", "open_orders": "0.00",
                    "available": "8000.00", "on_hold": False, "score": None}
    assert client.get(url(other_distributor), **bearer(dist_admin)).status_code == 404


def test_finance_changes_the_limit_and_others_may_not(client, distributor, dist_admin, finance_user,
                                                       channel_manager):
    response = client.patch(url(distributor), {"credit_limit": "120000.00", "reason": "年度调整"},
                            content_type="application/json", **bearer(finance_user))
    assert response.status_code == 200 and response.json()["credit_limit"] == "120000.00"
    assert CreditLimitChange.objects.get().changed_by == finance_user
    for user in (dist_admin, channel_manager):
        response = client.patch(url(distributor), {"credit_limit": "1.00"}, content_type="application/json",
                                **bearer(user))
        assert response.status_code == 403
    assert DistributorAccount.objects.get(distributor=distributor).credit_limit == Decimal("120000.00")


@pytest.mark.parametrize("bad", ["-1", "abc", "10.001", None, 1e20])
def test_a_bad_limit_is_a_400_naming_the_field(client, distributor, finance_user, bad):
    response = client.patch(url(distributor), {"credit_limit": bad}, content_type="application/json",
                            **bearer(finance_user))
    assert response.status_code == 400
    assert "credit_limit" in response.json()["error"]["fields"]
    assert not CreditLimitChange.objects.exists()


def test_an_order_over_credit_answers_201_credit_hold_and_finance_releases_it(client, distributor, dist_admin,
                                                                               finance_user):
    product = ProductFactory(base_price=Decimal("50.00"))
    stock(product, 20)
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal("100.00"))
    response = client.post("/api/v1/orders/", {"lines": [{"product": product.pk, "quantity": 4}], "submit": True},
                           content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 201 and response.json()["status"] == "credit_hold"
    order_id = response.json()["id"]
    release = f"/api/v1/orders/{order_id}/release-hold/"
    assert client.post(release, {}, content_type="application/json", **bearer(dist_admin)).status_code == 403
    response = client.post(release, {"note": "已确认回款"}, content_type="application/json", **bearer(finance_user))
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Order.objects.get(pk=order_id).status == Order.Status.APPROVED
    again = client.post(release, {}, content_type="application/json", **bearer(finance_user))
    assert again.status_code == 200  # a retry is a no-op


def test_use_prepayment_must_be_a_boolean(client, distributor, dist_admin):
    product = ProductFactory()
    response = client.post("/api/v1/orders/", {"lines": [{"product": product.pk, "quantity": 1}],
                                               "use_prepayment": "yes"},
                           content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 400 and "use_prepayment" in response.json()["error"]["fields"]
