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
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
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
