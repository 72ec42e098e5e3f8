"""Finance records a payment in real Chromium: picks the distributor, the open invoices
appear (HTMX), allocates part of the amount, and the rest lands on prepayment; the
distributor then sees its account and the invoice in the portal (phone width). With
SCREENSHOTS=1 it writes docs/screenshots/finance-ledger-*.png."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user
from dms.finance import credit_notes
from dms.finance.models import DistributorAccount, Payment
from dms.finance.tests.factories import invoice

from .test_browser import PASSWORD, Watch, browser  # noqa: F401 — the browser fixture is used below
from .test_ordering import login, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def books(live_server):
    fin = UserFactory(username="fin1", roles=["finance"], first_name="敏", last_name="赵")
    fin.set_password(PASSWORD)
    fin.save()
    distributor = DistributorFactory(name="成都锦城商贸有限公司", code="CD0001")
    user = portal_user(distributor, "distributor_admin", username="jincheng")
    user.set_password(PASSWORD)
    user.save()
    first = invoice(distributor, ("168.00", 20), ("39.90", 30), actor=fin)
    second = invoice(distributor, ("138.00", 10), actor=fin)
    credit_notes.create_credit_note(distributor_id=distributor.pk, kind="rebate", amount="1200.00",
                                    reason="2026年第三季度返利", actor=fin)
    return {"base": live_server.url, "distributor": distributor, "invoices": (first, second)}


def test_finance_records_a_payment_and_the_distributor_sees_it(browser, books):  # noqa: F811
    base, distributor = books["base"], books["distributor"]
    first, second = books["invoices"]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, base, "fin1")

    page.goto(f"{base}/backoffice/finance/payments/new/")
    page.select_option("select[name=distributor]", str(distributor.pk))
    expect(page.locator(f"input[name=alloc_{first.pk}]")).to_be_visible()  # the rows came through HTMX
    page.fill("input[name=amount]", "5000.00")
    page.fill("input[name=reference]", "招行网银 0021")
    page.fill(f"input[name=alloc_{first.pk}]", str(first.total_amount))
    page.fill(f"input[name=alloc_{second.pk}]", "300.00")
    shot(page, "finance-ledger-record-payment")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(Payment.objects.get().number)
    shot(page, "finance-ledger-payment")

    account = DistributorAccount.objects.get(distributor=distributor)
    assert account.prepayment == Decimal("5000.00") - first.total_amount - Decimal("300.00")
    page.goto(f"{base}/backoffice/finance/accounts/{distributor.pk}/")
    expect(page.locator("body")).to_contain_text(second.number)
    shot(page, "finance-ledger-account")
    page.goto(f"{base}/backoffice/finance/journal/")
    shot(page, "finance-ledger-journal")
    watch.check()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone_watch = Watch(phone)
    login(phone, base, "jincheng")
    phone.goto(f"{base}/portal/finance/account/")
    expect(phone.locator("body")).to_contain_text(second.number)
    shot(phone, "finance-ledger-portal-account")
    phone.goto(f"{base}/portal/finance/account/invoices/{second.pk}/")
    expect(phone.locator("body")).to_contain_text("300.00")
    shot(phone, "finance-ledger-portal-invoice")
    phone_watch.check()
