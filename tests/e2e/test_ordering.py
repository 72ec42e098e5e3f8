"""A distributor orders from the portal in real Chromium: searches the catalogue, types a
quantity below the MOQ and sees the message appear, adds to the cart, submits, sees the
order approved with its timeline — which refreshes itself when the brand ships — and
confirms receipt of the shipment. With SCREENSHOTS=1 it writes the portal ordering
screenshots in docs/screenshots/ (desktop, and the catalogue at 390 px)."""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, stock
from dms.logistics import services as logistics
from dms.logistics.models import Carrier, Shipment
from dms.orders.models import Order

from .test_browser import PASSWORD, SHOTS, Watch, browser  # noqa: F401 — the browser fixture is used below

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name, full=True):
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


@pytest.fixture
def shop(live_server):
    """A distributor with a portal user, a few products with stock, a carrier and a staff member."""
    distributor = DistributorFactory(name="华南优选商贸有限公司")
    user = portal_user(distributor, "distributor_admin", username="buyer", first_name="磊", last_name="刘")
    user.set_password(PASSWORD)
    user.save()
    oil = ProductFactory(sku="HF-OIL-5L", name="禾丰花生油 5L", specification="5L×4桶", moq=10, multiple=5,
                         base_price=Decimal("168.00"))
    stock(oil, 300)
    for i, (name, price) in enumerate([("禾丰菜籽油 5L", "138.00"), ("禾丰芝麻油 500ml", "39.90"),
                                       ("禾丰天然山泉水 550ml×24", "28.80"), ("禾丰苏打水 400ml×24", "57.60")]):
        product = ProductFactory(sku=f"HF-{i:03d}", name=name, base_price=Decimal(price))
        stock(product, 8 if i == 1 else 120)
    carrier = Carrier.objects.update_or_create(code="SF", defaults={
        "name": "顺丰速运", "tracking_url": "https://www.sf-express.com/?no={number}", "is_active": True})[0]
    staff = UserFactory(username="warehouse1", roles=["warehouse"])
    return {"base": live_server.url, "user": user, "oil": oil, "carrier": carrier, "staff": staff}


def test_distributor_orders_and_confirms_receipt(browser, shop):  # noqa: F811
    base, oil = shop["base"], shop["oil"]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base, "buyer")

    # search the catalogue (the results come through HTMX)
    page.goto(f"{base}/portal/catalogue/")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=search]", "花生油")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("article.o-product")).to_have_count(1)
    assert "search=" in page.url  # the filtered list is in the address (back button, sharing)
    card = page.locator(f"#product-{oil.pk}")

    # a quantity below the MOQ: the message appears while typing
    quantity = card.locator("input[name=quantity]")
    quantity.fill("")
    quantity.press_sequentially("7", delay=50)
    message = page.locator(f"#qty-{oil.pk} .bad")
    message.wait_for()
    assert "10" in message.inner_text()  # names the minimum order quantity
    # a valid one shows the line amount; then into the cart
    quantity.fill("")
    quantity.press_sequentially("20", delay=50)
    page.locator(f"#qty-{oil.pk} .ok").wait_for()
    assert "¥3,360.00" in page.locator(f"#qty-{oil.pk}").inner_text()
    card.locator("button[type=submit]").click()
    page.locator(f"#add-{oil.pk} .ok").wait_for()
    assert page.locator(".portal-links .cart-count").inner_text() == "1"
    page.goto(f"{base}/portal/catalogue/")
    page.wait_for_load_state("networkidle")
    shot(page, "portal-catalogue")

    # the cart, then submit: auto-approved, the stock reserved
    page.goto(f"{base}/portal/cart/")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"input[name=qty_{oil.pk}]").input_value() == "20"
    shot(page, "portal-cart")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/portal/orders/\d+/$"))
    order = Order.objects.get(distributor=shop["user"].distributor)
    assert order.status == Order.Status.APPROVED
    assert page.locator(".page-head .badge-approved").count() == 1
    assert page.locator("#timeline li.ev-status").count() == 2  # submitted, approved
    assert page.locator("#timeline[hx-trigger]").count() == 1  # it refreshes itself

    # the brand ships: the open page reloads itself and shows it
    shipment = logistics.create_shipment(order_id=order.pk, actor=shop["staff"])
    logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=shop["carrier"], tracking_number="SF7788990011",
                                actor=shop["staff"])
    page.locator(".page-head .badge-shipped").wait_for(timeout=25_000)
    assert page.locator("#timeline li.ev-shipment").count() == 1
    shot(page, "portal-order")

    # proof of delivery
    page.click(f"a[href='/portal/shipments/{shipment.pk}/']")
    page.wait_for_load_state("networkidle")
    assert "SF7788990011" in page.content()
    assert page.locator("a[href='https://www.sf-express.com/?no=SF7788990011']").count() == 1
    shot(page, "portal-shipment")
    page.click(f"form[action='/portal/shipments/{shipment.pk}/confirm/'] button")
    page.wait_for_load_state("networkidle")
    page.locator(".p-alert.ok").wait_for()
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.received_by_id == shop["user"].pk
    assert order.status == Order.Status.COMPLETED
    watch.check()
    page.close()


def test_catalogue_on_a_phone(browser, shop):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                            device_scale_factor=2)
    watch = Watch(page)
    login(page, shop["base"], "buyer")
    page.goto(f"{shop['base']}/portal/catalogue/")
    page.wait_for_load_state("networkidle")
    # nothing wider than the screen; the tab bar leads to the cart
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".tabbar a[href='/portal/cart/']").is_visible()
    quantity = page.locator(f"#product-{shop['oil'].pk} input[name=quantity]")
    quantity.fill("")
    quantity.press_sequentially("12", delay=50)
    page.locator(f"#qty-{shop['oil'].pk} .bad").wait_for()  # not a multiple of 5
    shot(page, "portal-catalogue-mobile", full=False)
    watch.check()
    page.close()
