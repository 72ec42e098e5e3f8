"""A distributor checks last month's statement in the portal and confirms it; finance reads
the AR aging, the credit exposure and the dashboard panel with their charts, in real
Chromium. With SCREENSHOTS=1 it writes docs/screenshots/finance-statement-portal.png,
finance-aging.png, finance-exposure.png and finance-dashboard.png."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dms.core.scoping import scopes_disabled
from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user
from dms.finance import scoring, statements
from dms.finance.models import DistributorAccount, Statement
from dms.finance.tests.factories_statements import at, grant_rebate, invoice, payment, rebate_offset

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


def _user(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def books(live_server):
    """Last month's statement for 华南优选 and open invoices of three distributors."""
    with scopes_disabled():
        today = timezone.localdate()
        start, end = statements.previous_month(today)
        cm = _user(UserFactory(username="cm_zhang", first_name="伟", last_name="张", roles=["channel_manager"]))
        main = DistributorFactory(name="华南优选商贸有限公司", channel_manager=cm)
        _user(portal_user(main, "distributor_admin", username="buyer", first_name="磊", last_name="刘"))
        _user(UserFactory(username="fin1", first_name="敏", last_name="赵", roles=["finance"]))
        before = start - dt.timedelta(days=20)
        old = invoice(main, "45200.00", issued=before, due=before + dt.timedelta(days=30), posted_at=at(before))
        payment(main, "20000.00", to=old, posted_at=at(before + dt.timedelta(days=10)))
        inv = invoice(main, "68800.00", issued=start + dt.timedelta(days=2), posted_at=at(start + dt.timedelta(days=2)))
        payment(main, "50000.00", to=inv, posted_at=at(start + dt.timedelta(days=15)))
        grant_rebate(main, "5000.00", posted_at=at(start + dt.timedelta(days=16)))
        rebate_offset(old, "3000.00", posted_at=at(start + dt.timedelta(days=17)))
        invoice(main, "12600.00", issued=end - dt.timedelta(days=3), posted_at=at(end - dt.timedelta(days=3)))
        for n, (name, amount, days) in enumerate([("鹏城通达供应链有限公司", "38600.00", 45),
                                                  ("东莞恒达食品经营部", "91200.00", 100)]):
            other = DistributorFactory(name=name, region_code="110101" if n else "440106", channel_manager=cm)
            due = today - dt.timedelta(days=days)
            invoice(other, amount, issued=due - dt.timedelta(days=30), due=due)
            DistributorAccount.objects.filter(distributor=other).update(credit_limit=Decimal("100000.00"))
        DistributorAccount.objects.filter(distributor=main).update(credit_limit=Decimal("200000.00"))
        statement = statements.generate_statement(distributor_id=main.pk, period_start=start, period_end=end)
        scoring.score_all(today)
        scoring.apply_overdue_holds(today)
    return {"base": live_server.url, "statement": statement}


def test_distributor_confirms_statement_and_finance_reads_reports(browser, books):  # noqa: F811
    base, statement = books["base"], books["statement"]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    page.on("dialog", lambda dialog: dialog.accept())

    # the distributor: home page says a statement waits, the statement shows its lines
    login(page, base, "buyer")
    page.goto(f"{base}/portal/")
    page.click(f"a[href='/portal/finance/statements/{statement.pk}/']")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".p-lines .line")).to_have_count(6)  # opening, 4 postings, closing
    expect(page.locator(".fin-sum .closing .v")).to_contain_text(f"{statement.closing_balance:,.2f}")
    shot(page, "finance-statement-portal")
    page.click("#confirm-statement")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".badge-confirmed")).to_be_visible()
    expect(page.locator("#confirm-statement")).to_have_count(0)
    with scopes_disabled():
        statement.refresh_from_db()
    assert statement.status == Statement.Status.CONFIRMED and statement.confirmed_by.username == "buyer"

    # the phone view of the statements list
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    login(phone, base, "buyer")
    phone.goto(f"{base}/portal/finance/statements/")
    expect(phone.locator("article.p-item")).to_have_count(1)
    phone.close()
    page.context.clear_cookies()

    # finance: aging, exposure and the dashboard, each with its chart drawn
    login(page, base, "fin1")
    page.goto(f"{base}/backoffice/finance/reports/aging/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas[data-chart='aging-chart'][data-drawn='1']")).to_have_count(1)
    expect(page.locator("#aging-table tbody tr")).to_have_count(3)
    shot(page, "finance-aging")
    page.goto(f"{base}/backoffice/finance/reports/exposure/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas[data-chart='exposure-chart'][data-drawn='1']")).to_have_count(1)
    expect(page.locator("#exposure-table")).to_contain_text("东莞恒达食品经营部")
    shot(page, "finance-exposure")
    page.goto(f"{base}/backoffice/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas[data-chart='dash-aging'][data-drawn='1']")).to_have_count(1)
    expect(page.locator("canvas[data-chart='dash-cash'][data-drawn='1']")).to_have_count(1)
    shot(page, "finance-dashboard")
    watch.check()
