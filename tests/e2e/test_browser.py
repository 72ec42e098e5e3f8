"""Real Chromium (Debian's, driven by Playwright) walks the main pages as staff and as a
distributor, failing on any console error (CSP violations included), page error or
server error. With SCREENSHOTS=1 it also writes the screenshots in docs/screenshots/."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "Demo-pass-2026"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


class Watch:
    def __init__(self, page):
        self.problems = []
        # Name the element and source behind a CSP violation (the console message alone does not).
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                             "'CSP ' + e.violatedDirective + ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + "
                             "e.sample + ' ' + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : '')))")
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console at {page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("response", self.on_response)

    def on_response(self, r):
        # server errors anywhere; a missing script, style, image or font on any page
        if r.status >= 500 or (r.status >= 400 and r.request.resource_type != "document"):
            self.problems.append(f"{r.status} {r.url}")

    def check(self):
        assert self.problems == [], self.problems


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


def visit(page, base, path, shot=None, full=True):
    response = page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200, f"{path} -> {response.status}"
    if shot and os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=full)
    return response


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", quiet=True)
    return live_server.url


def test_staff_walks_the_back_office(browser, demo):
    from dms.distributors.models import Contract, Distributor, Review

    d = Distributor.objects.filter(status="active").order_by("pk").first()
    contract = Contract.objects.filter(distributor=d).first()
    review = Review.objects.filter(status="pending").first()
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, demo, "admin")
    visit(page, demo, "/backoffice/", "backoffice-dashboard")
    visit(page, demo, "/backoffice/distributors/", "backoffice-distributors")
    visit(page, demo, "/backoffice/distributors/?status=active&tier=2")
    visit(page, demo, f"/backoffice/distributors/{d.pk}/", "backoffice-distributor-360")
    visit(page, demo, "/backoffice/distributors/new/", "backoffice-distributor-new")
    visit(page, demo, "/backoffice/distributors/import/", "backoffice-import")
    visit(page, demo, "/backoffice/distributors/reviews/", "backoffice-reviews")
    visit(page, demo, f"/backoffice/distributors/reviews/{review.pk}/", "backoffice-review")
    visit(page, demo, "/backoffice/distributors/qualifications/", "backoffice-qualifications")
    visit(page, demo, "/backoffice/distributors/contracts/", "backoffice-contracts")
    visit(page, demo, f"/backoffice/distributors/contracts/{contract.pk}/", "backoffice-contract")
    visit(page, demo, "/backoffice/audit/", "backoffice-audit")
    # orders, stock, shipments and the catalogue (demo orders in every status)
    from dms.logistics.models import Shipment
    from dms.orders.models import Order, ReturnRequest

    order = Order.objects.filter(status="partially_shipped").order_by("pk").first()
    shipment = Shipment.objects.filter(status="dispatched").order_by("pk").first()
    ret = ReturnRequest.objects.order_by("pk").first()
    visit(page, demo, "/backoffice/orders/", "backoffice-orders")
    visit(page, demo, "/backoffice/orders/queue/", "backoffice-order-queue")
    visit(page, demo, f"/backoffice/orders/{order.pk}/", "backoffice-order")
    visit(page, demo, "/backoffice/orders/new/", "backoffice-order-new")
    visit(page, demo, "/backoffice/orders/returns/")
    visit(page, demo, f"/backoffice/orders/returns/{ret.pk}/")
    visit(page, demo, "/backoffice/logistics/", "backoffice-shipments")
    visit(page, demo, f"/backoffice/logistics/{shipment.pk}/", "backoffice-shipment")
    visit(page, demo, "/backoffice/logistics/discrepancies/")
    visit(page, demo, "/backoffice/logistics/tracking/import/")
    visit(page, demo, "/backoffice/inventory/", "backoffice-stock")
    visit(page, demo, "/backoffice/inventory/moves/", "backoffice-stock-moves")
    visit(page, demo, "/backoffice/inventory/receipts/new/", "backoffice-goods-receipt")
    visit(page, demo, "/backoffice/inventory/alerts/")
    visit(page, demo, "/backoffice/inventory/suggestions/", "backoffice-replenishment")
    visit(page, demo, "/backoffice/catalog/", "backoffice-products")
    visit(page, demo, "/backoffice/catalog/price-lists/", "backoffice-price-lists")
    visit(page, demo, "/backoffice/catalog/promotions/")
    visit(page, demo, "/notifications/", "backoffice-notifications")
    visit(page, demo, "/accounts/security/")
    visit(page, demo, "/api/docs/", "api-docs")
    visit(page, demo, "/admin/")
    visit(page, demo, "/admin/notifications/reminderrule/", "admin-reminder-rules")
    visit(page, demo, "/admin/notifications/reminderrule/1/change/")
    # search through the HTMX-refreshed list
    page.goto(f"{demo}/backoffice/distributors/")
    page.fill("input[name=search]", d.name[:4])
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert d.name in page.content()
    watch.check()
    page.close()


def test_distributor_walks_the_portal_on_a_phone(browser, demo):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                            device_scale_factor=2)
    watch = Watch(page)
    visit(page, demo, "/accounts/login/", "login", full=False)
    visit(page, demo, "/portal/register/", "portal-register")
    login(page, demo, "dist1_admin")
    visit(page, demo, "/portal/", "portal-dashboard", full=False)
    visit(page, demo, "/portal/profile/", "portal-profile", full=False)
    visit(page, demo, "/portal/qualifications/", "portal-qualifications", full=False)
    visit(page, demo, "/portal/qualifications/new/", "portal-qualification-upload")
    visit(page, demo, "/portal/contracts/", "portal-contracts", full=False)
    visit(page, demo, "/notifications/", "portal-notifications")
    visit(page, demo, "/portal/users/", "portal-users")
    # the menu opens and leads to a page
    page.click("details.menu summary")
    page.click("details.menu nav a[href='/portal/contracts/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/portal/contracts/")
    # a distributor cannot open the back office
    response = page.goto(f"{demo}/backoffice/distributors/")
    assert response.status == 404
    watch.problems = [p for p in watch.problems if "/backoffice/distributors/" not in p and "404" not in p]
    watch.check()
    page.close()


def test_english_switch(browser, demo):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    watch = Watch(page)
    visit(page, demo, "/accounts/login/")
    assert "登录" in page.content()
    page.click("form.lang-switch button[value=en]")
    page.wait_for_load_state("networkidle")
    assert "Log in" in page.content()
    login(page, demo, "cm_zhang")
    visit(page, demo, "/backoffice/", "backoffice-dashboard-en")
    watch.check()
    page.close()


def test_channel_manager_creates_a_distributor_with_the_region_picker(browser, demo):
    """The region picker (app.js, JSON from /backoffice/regions/) and the form, in a real browser."""
    from dms.distributors.models import Distributor

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, demo, "cm_zhang")
    visit(page, demo, "/backoffice/distributors/new/")
    page.fill("#id_name", "浏览器测试商贸有限公司")
    page.fill("#id_credit_code", "91110108551385082Q")
    page.select_option("select[data-region-level='0']", "44")
    page.wait_for_selector("select[data-region-level='1'] option[value='4403']", state="attached")
    page.select_option("select[data-region-level='1']", "4403")
    page.wait_for_selector("select[data-region-level='2'] option[value='440305']", state="attached")
    page.select_option("select[data-region-level='2']", "440305")
    page.fill("#id_contact_name", "测试联系人")
    page.fill("#id_contact_phone", "13800138000")
    page.click("form.dist-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    d = Distributor.objects.get(credit_code="91110108551385082Q")
    assert page.url.endswith(f"/backoffice/distributors/{d.pk}/")
    assert d.region_code == "440305" and d.status == "prospect" and d.channel_manager.username == "cm_zhang"
    assert "广东省 深圳市 南山区" in page.content()
    watch.check()
    page.close()


def test_distributor_uploads_a_renewal_and_staff_verify_it(browser, demo, tmp_path):
    from dms.distributors.models import Distributor, Qualification

    d = Distributor.objects.get(users__username="dist1_admin")
    old = d.qualifications.get(type="business_licence")
    pdf = tmp_path / "新营业执照.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    watch = Watch(page)
    login(page, demo, "dist1_admin")
    visit(page, demo, f"/portal/qualifications/new/?replaces={old.pk}&type=business_licence")
    page.select_option("select[name=replaces]", str(old.pk))
    page.select_option("select[name=type]", "business_licence")
    page.fill("input[name=number]", "NEW-LICENCE-2031")
    page.fill("input[name=valid_to]", "2031-12-31")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("form.p-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    new = Qualification.objects.get(number="NEW-LICENCE-2031")
    assert new.verification_status == "pending" and new.replaces_id == old.pk
    assert new.original_filename == "新营业执照.pdf"
    watch.check()
    page.close()

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, demo, d.channel_manager.username)
    visit(page, demo, f"/backoffice/distributors/qualifications/{new.pk}/verify/")
    page.click("button[name=decision][value=approve]")
    page.wait_for_load_state("networkidle")
    new.refresh_from_db()
    assert new.verification_status == "verified"
    # the document downloads with its name
    with page.expect_download() as download:
        page.evaluate(f"window.location.href = '/backoffice/distributors/qualifications/{new.pk}/file/'")
    assert download.value.suggested_filename == "新营业执照.pdf"
    watch.check()
    page.close()
