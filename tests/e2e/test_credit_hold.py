"""In real Chromium: a distributor's order exceeds its available credit and the portal says
it waits for finance; finance opens the credit-hold queue, releases the order, and it is
approved with its stock reserved. With SCREENSHOTS=1 it writes finance-credit-holds.png,
finance-credit-distributor.png and portal-order-credit-hold.png."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, stock
from dms.finance.models import DistributorAccount
from dms.inventory.models import StockLevel
from dms.orders import services
from dms.orders.models import Order

from .test_browser import PASSWORD, SHOTS, Watch, browser, login  # noqa: F401 — the browser fixture is used below

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def held(live_server):
    distributor = DistributorFactory(name="西南鑫达商贸有限公司")
    buyer = portal_user(distributor, "distributor_admin", username="buyer", first_name="敏", last_name="王")
    finance = UserFactory(username="fin", roles=["finance"], first_name="静", last_name="赵")
    for user in (buyer, finance):
        user.set_password(PASSWORD)
        user.save()
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal("5000.00"),
                                                                      receivable=Decimal("3200.00"))
    product = ProductFactory(sku="HF-OIL-5L", name="禾丰花生油 5L", base_price=Decimal("168.00"))
    stock(product, 100)
    order = services.create_order(distributor=distributor, actor=buyer, submit=True,
                                  lines=[{"product": product.pk, "quantity": 20}])
    order.refresh_from_db()
    assert order.status == Order.Status.CREDIT_HOLD
    return {"base": live_server.url, "order": order, "product": product}


def test_finance_releases_a_credit_hold(browser, held):  # noqa: F811
    base, order = held["base"], held["order"]
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    watch = Watch(page)
    login(page, base, "buyer")
    page.goto(f"{base}/portal/orders/{order.pk}/")
    expect(page.locator(".p-alert.warn")).to_be_visible()
    shot(page, "portal-order-credit-hold")
    watch.check()
    page.close()

    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, base, "fin")
    page.goto(f"{base}/backoffice/finance/credit-holds/")
    row = page.locator("tr", has_text=order.number)
    expect(row).to_be_visible()
    shot(page, "finance-credit-holds")
    row.locator("details.reason-action summary").first.click()
    row.locator("input[name=note]").fill("已电话确认本周回款")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".empty")).to_be_visible()
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED
    assert StockLevel.objects.get(product=held["product"]).reserved == 20
    page.goto(f"{base}/backoffice/finance/credit/{order.distributor_id}/")
    shot(page, "finance-credit-distributor")
    watch.check()
    page.close()
