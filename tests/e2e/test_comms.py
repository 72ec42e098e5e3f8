"""Communication in real Chromium: staff publish an announcement to tier 1, a distributor
opens it from the portal and the read receipt shows on the staff page; a message the
brand writes appears in the distributor's open conversation without a reload (HTMX poll).
With SCREENSHOTS=1 it writes docs/screenshots/comms-*.png."""

import os

import pytest
from playwright.sync_api import expect

from dms.comms import services
from dms.comms.models import Thread
from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user, tier

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
def world(live_server):
    manager = UserFactory(username="cm_zhang", first_name="伟", last_name="张", roles=["channel_manager"])
    ops = UserFactory(username="ops_chen", first_name="静", last_name="陈", roles=["sales_ops"])
    distributor = DistributorFactory(name="华南优选商贸有限公司", tier=tier(1), channel_manager=manager)
    DistributorFactory(name="佛山禅城惠民商行", tier=tier(2), region_code="440604", channel_manager=manager)
    buyer = portal_user(distributor, "distributor_admin", username="buyer", first_name="磊", last_name="刘")
    portal_user(distributor, "distributor_staff", username="clerk", first_name="芳", last_name="王")
    for user in (manager, ops, buyer):
        user.set_password(PASSWORD)
        user.save()
    return {"base": live_server.url, "manager": manager, "ops": ops, "distributor": distributor, "buyer": buyer}


def test_announcement_read_receipt_reaches_staff(browser, world):  # noqa: F811
    base = world["base"]
    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(staff)
    login(staff, base, "ops_chen")
    staff.goto(f"{base}/backoffice/comms/announcements/new/")
    staff.fill("#id_title", "一级经销商年度返利政策调整")
    staff.fill("#id_body", "自4月1日起调整：\n\n1. 季度回款满100万：返利2%\n2. 满300万：返利3%\n\n**请各位知悉。** <b>不是HTML</b>")
    staff.select_option("#id_body_format", "markdown")
    staff.check("#id_pinned")
    staff.check("input[name=audience][value=selected]")
    staff.check(f"input[name=tiers][value='{tier(1).pk}']")
    shot(staff, "comms-announcement-form")
    staff.click("button[type=submit]")
    staff.wait_for_load_state("networkidle")
    staff.click("form[action$='/publish/'] button")
    staff.wait_for_load_state("networkidle")
    expect(staff.locator(".receipt-counts")).to_contain_text("0 / 1")
    expect(staff.locator(".ann-body strong")).to_have_text("请各位知悉。")
    expect(staff.locator(".ann-body")).to_contain_text("<b>不是HTML</b>")

    portal = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                              device_scale_factor=2)
    login(portal, base, "buyer")
    portal.goto(f"{base}/portal/comms/announcements/")
    item = portal.locator("article.ann-item.unread")
    expect(item).to_have_count(1)
    shot(portal, "comms-portal-announcements")
    item.locator("a").click()
    portal.wait_for_load_state("networkidle")
    expect(portal.locator("h1")).to_have_text("一级经销商年度返利政策调整")
    shot(portal, "comms-portal-announcement")

    staff.reload()
    staff.wait_for_load_state("networkidle")
    expect(staff.locator(".receipt-counts")).to_contain_text("1 / 1")
    expect(staff.locator("table.receipts")).to_contain_text("刘磊")
    shot(staff, "comms-announcement-receipts")
    assert not watch.problems, watch.problems


def test_new_message_appears_without_reload(browser, world):  # noqa: F811
    base = world["base"]
    thread = services.start_thread(distributor=world["distributor"], subject="订单到货少了两箱",
                                   body="您好，昨天收到的货少了两箱花生油，麻烦核实一下。", actor=world["buyer"])
    portal = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                              device_scale_factor=2)
    watch = Watch(portal)
    login(portal, base, "buyer")
    portal.goto(f"{base}/portal/comms/messages/{thread.pk}/")
    portal.wait_for_load_state("networkidle")
    expect(portal.locator(".chat .msg")).to_have_count(1)

    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(staff, base, "cm_zhang")
    staff.goto(f"{base}/backoffice/comms/threads/")
    expect(staff.locator("tr.thread-row.unread")).to_have_count(1)
    shot(staff, "comms-threads")
    staff.click("text=订单到货少了两箱")
    staff.wait_for_load_state("networkidle")
    staff.fill("#id_body", "收到，我马上联系仓库核对出库记录，今天下午给您回复。")
    staff.click("form.reply button[type=submit]")
    staff.wait_for_load_state("networkidle")
    expect(staff.locator(".chat .msg")).to_have_count(2)
    shot(staff, "comms-thread-staff")

    # the distributor's page was not reloaded: the poll (every 7 s) brings the reply
    expect(portal.locator(".chat .msg")).to_have_count(2, timeout=15000)
    expect(portal.locator(".chat .msg.brand")).to_contain_text("核对出库记录")
    shot(portal, "comms-thread-portal")
    assert Thread.objects.get(pk=thread.pk).messages.count() == 2
    assert not watch.problems, watch.problems
