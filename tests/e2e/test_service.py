"""After-sales service in real Chromium: a distributor raises a ticket in the portal (with
a photo, linked to its order), staff answer it in the back office (an HTMX reply and an
internal note) and ask for more information, and the distributor sees the answer — never
the note — and replies. With SCREENSHOTS=1 it writes docs/screenshots/service-*.png."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, stock
from dms.orders import services as orders
from dms.service import services
from dms.service.models import SlaPolicy, Ticket

from .test_browser import PASSWORD, SHOTS, Watch, browser  # noqa: F401 — the browser fixture is used below

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


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


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def desk(live_server):
    """A distributor with an order, its channel manager, and a few older tickets."""
    for priority, first, resolution in [("urgent", 1, 8), ("high", 4, 16), ("normal", 8, 40), ("low", 16, 80)]:
        SlaPolicy.objects.update_or_create(priority=priority, defaults={
            "first_response_hours": Decimal(first), "resolution_hours": Decimal(resolution)})
    manager = with_password(UserFactory(username="cm_zhang", first_name="伟", last_name="张",
                                        roles=["channel_manager"]))
    distributor = DistributorFactory(name="华南优选商贸有限公司", channel_manager=manager)
    user = with_password(portal_user(distributor, "distributor_admin", username="buyer", first_name="磊",
                                     last_name="刘"))
    oil = ProductFactory(sku="HF-OIL-5L", name="禾丰花生油 5L", base_price=Decimal("168.00"))
    stock(oil, 100)
    order = orders.create_order(distributor=distributor, lines=[{"product": oil.pk, "quantity": 10}], submit=True,
                                actor=user)
    older = [("damaged", "urgent", "整托货物外箱压损"), ("technical", "low", "新品冷藏条件咨询"),
             ("complaint", "high", "配送司机态度问题")]
    for kind, priority, subject in older:
        services.create_ticket(distributor_id=distributor.pk, type=kind, priority=priority, subject=subject,
                               description="详见附件说明。", actor=user)
    done = Ticket.objects.get(subject="配送司机态度问题")
    services.post_message(ticket_id=done.pk, body="已向物流公司投诉。", actor=manager)
    services.change_status(ticket_id=done.pk, status="resolved", resolution="司机已停派并培训。", actor=manager)
    # one ticket raised long ago and never answered: breached
    Ticket.objects.filter(subject="整托货物外箱压损").update(
        first_response_due_at=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC), created_at=dt.datetime(2026, 1, 5, 9,
                                                                                                  tzinfo=dt.UTC))
    return {"base": live_server.url, "order": order}


def test_distributor_raises_staff_answer_distributor_sees_it(browser, desk, tmp_path):  # noqa: F811
    base = desk["base"]
    photo = tmp_path / "瓶盖照片.png"
    photo.write_bytes(PNG)

    # the distributor raises a ticket from the portal
    dist = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    dist_watch = Watch(dist)
    login(dist, base, "buyer")
    dist.goto(f"{base}/portal/service/")
    dist.wait_for_load_state("networkidle")
    shot(dist, "service-portal-list")
    dist.click("a[href='/portal/service/new/']")
    dist.select_option("#id_type", "quality")
    dist.select_option("#id_priority", "high")
    dist.fill("#id_subject", "花生油瓶盖密封不严")
    dist.fill("#id_description", "本批到货约 6 桶瓶盖松动，开箱时已有渗漏。")
    dist.select_option("#id_order", str(desk["order"].pk))
    dist.fill("#id_batch_number", "B20261101")
    dist.set_input_files("#id_attachments", str(photo))
    shot(dist, "service-portal-new")
    dist.click("form button[type=submit]")
    dist.wait_for_load_state("networkidle")
    ticket = Ticket.objects.get(subject="花生油瓶盖密封不严")
    assert dist.url.endswith(f"/portal/service/{ticket.pk}/")
    assert ticket.attachments.count() == 1 and ticket.order == desk["order"]

    # staff answer in the back office: a reply (HTMX), an internal note, then wait on the distributor
    staff = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    staff_watch = Watch(staff)
    login(staff, base, "cm_zhang")
    staff.goto(f"{base}/backoffice/service/")
    staff.wait_for_load_state("networkidle")
    expect(staff.locator(".tk-table")).to_contain_text(ticket.number)
    shot(staff, "service-backoffice-list")
    staff.click(f"text={ticket.number}")
    staff.wait_for_load_state("networkidle")
    staff.fill("#id_body", "您好，已收到。请拍摄桶身批号喷码，我们安排质检核实。")
    staff.click(".reply-form button[type=submit]")
    expect(staff.locator("#thread")).to_contain_text("请拍摄桶身批号喷码")
    staff.fill("#id_body", "INTERNAL 质检怀疑封盖机扭矩偏低")
    staff.check("#id_internal")
    staff.click(".reply-form button[type=submit]")
    expect(staff.locator("#thread .note")).to_contain_text("封盖机扭矩偏低")
    staff.click("form:has(input[value=waiting_on_distributor]) button")
    staff.wait_for_load_state("networkidle")
    shot(staff, "service-backoffice-detail")
    ticket.refresh_from_db()
    assert ticket.status == "waiting_on_distributor" and ticket.first_response_at is not None

    # the distributor sees the answer, never the note, and replies
    dist.reload()
    dist.wait_for_load_state("networkidle")
    expect(dist.locator("#thread")).to_contain_text("请拍摄桶身批号喷码")
    assert "封盖机扭矩偏低" not in dist.content()
    dist.fill("#id_body", "喷码照片见附件，批号 B20261101。")
    dist.click(".reply-form button[type=submit]")
    expect(dist.locator("#thread")).to_contain_text("喷码照片见附件")
    shot(dist, "service-portal-detail")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"

    staff.goto(f"{base}/backoffice/service/sla/")
    staff.wait_for_load_state("networkidle")
    shot(staff, "service-sla-report")
    dist_watch.check()
    staff_watch.check()
