"""Browser walk of the customer pages on the demo data: the portal list (phone), a
customer's page with an HTMX follow-up, the segment page, and the back-office aggregate.
With SCREENSHOTS=1 they are saved as docs/screenshots/crm-*.png."""

import datetime as dt
import os

import pytest
from django_scopes import scopes_disabled

from .test_browser import Watch, browser, demo, login, visit  # noqa: F401 — fixtures used below

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_pages(browser, demo):  # noqa: F811
    from dms.crm.models import Customer

    with scopes_disabled():
        shop = Customer.objects.get(name="福田天虹超市", distributor__users__username="dist1_admin")
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                            device_scale_factor=2)
    watch = Watch(page)
    login(page, demo, "dist1_admin")
    visit(page, demo, "/portal/crm/", "crm-portal-list")
    assert "华强北便利店" in page.content()
    visit(page, demo, f"/portal/crm/{shop.pk}/", "crm-portal-detail")
    if not page.locator("#id_summary").is_visible():
        page.click("details:has(#id_summary) > summary")
    page.fill("#id_summary", "浏览器测试：电话确认补货")
    page.fill("#id_date", dt.date.today().isoformat())
    page.click("details:has(#id_summary) button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator("text=浏览器测试：电话确认补货").wait_for()
    visit(page, demo, "/portal/crm/segments/", "crm-portal-segments")
    visit(page, demo, "/portal/crm/new/", "crm-portal-form")
    watch.check()

    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, demo, "admin")
    visit(page, demo, "/backoffice/crm/", "crm-backoffice-aggregate")
    page.locator("canvas[data-chart]").first.wait_for()
    visit(page, demo, "/backoffice/crm/customers/", "crm-backoffice-list")
    visit(page, demo, f"/backoffice/crm/customers/{shop.pk}/", "crm-backoffice-detail")
    watch.check()
