"""Visits in real Chromium: a channel manager finds an overdue distributor on the due list,
plans the visit, opens it from the month calendar, records it with a photo and an action
for the distributor; the distributor reads the visit in the portal — without the internal
notes — and marks its action done. With SCREENSHOTS=1 it writes docs/screenshots/visits-*.png."""

import calendar
import datetime as dt
import os
import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user, tier
from dms.visits import services
from dms.visits.management.commands.seed_visits_demo import demo_photo
from dms.visits.models import Visit, VisitAction, VisitFrequency

from .test_browser import PASSWORD, Watch, browser  # noqa: F401 — the browser fixture is used below
from .test_ordering import login, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(username, roles=None, distributor=None, **names):
    user = (portal_user(distributor, username=username, **names) if distributor
            else UserFactory(username=username, roles=roles, **names))
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def world(live_server):
    """A channel manager with five distributors: one overdue, one visited last week with
    actions, others due later; a distributor login for the first one."""
    VisitFrequency.objects.update_or_create(tier=tier(1), defaults={"interval_days": 30})
    cm = _user("cm_zhang", ["channel_manager"], last_name="张", first_name="伟")
    today = timezone.localdate()
    names = ["华南优选商贸有限公司", "鹏城通达供应链有限公司", "岭南鲜品贸易有限公司", "珠江源食品批发部",
             "东莞惠民商贸有限公司"]
    shops = [DistributorFactory(name=n, channel_manager=cm, status_changed_at=timezone.now() - dt.timedelta(days=200))
             for n in names]
    owner = _user("dist1_admin", distributor=shops[0], last_name="刘", first_name="磊")
    for i, d in enumerate(shops[1:], start=1):
        day = today - dt.timedelta(days=[5, 22, 12, 26][i - 1])
        services.record_visit(
            distributor_id=d.pk, visit_date=day, actor=cm, type=["on_site", "phone", "video", "on_site"][i - 1],
            participants="王总（总经理）", topics=["季度销售复盘", "新品铺货计划", "库存结构检查", "年度返利沟通"][i - 1],
            actions=[{"description": "提交月度库存明细表", "owner_type": "distributor",
                      "due_date": day + dt.timedelta(days=7)}])
    services.record_visit(distributor_id=shops[0].pk, visit_date=today - dt.timedelta(days=40), actor=cm,
                          type="phone", participants="刘总", topics="年度返利政策解读，对账及回款进度沟通")
    services.create_visit(distributor_id=shops[2].pk, actor=cm, planned_date=today + dt.timedelta(days=3),
                          topics="旺季备货")
    services.create_visit(distributor_id=shops[3].pk, actor=cm, planned_date=today - dt.timedelta(days=2),
                          topics="陈列检查")
    return {"base": live_server.url, "cm": cm, "shops": shops, "owner": owner}


def test_manager_plans_and_records_a_visit_the_distributor_reads_it(browser, world, tmp_path):  # noqa: F811
    base, shop = world["base"], world["shops"][0]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base, "cm_zhang")

    # the overdue distributor is on the due list; plan its visit from there
    page.goto(f"{base}/backoffice/visits/due/")
    row = page.locator("tr", has_text=shop.name)
    expect(row.locator(".badge-overdue")).to_be_visible()
    shot(page, "visits-due")
    row.locator("a[href*='/visits/new/']").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_planned_date", timezone.localdate().isoformat())
    page.fill("#id_topics", "新品铺货与终端陈列检查")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    visit = Visit.objects.get(distributor=shop, status=Visit.Status.PLANNED)
    assert page.url.endswith(f"/backoffice/visits/{visit.pk}/")

    # the calendar shows it today; open it from there
    page.goto(f"{base}/backoffice/visits/calendar/")
    expect(page.locator("td.today a.e.planned", has_text=shop.name)).to_be_visible()
    expect(page.locator("a.e.overdue")).to_have_count(1)
    weeks = calendar.Calendar().monthdatescalendar(timezone.localdate().year, timezone.localdate().month)
    shown = Visit.objects.filter(status="completed", visit_date__range=(weeks[0][0], weeks[-1][-1])).count()
    expect(page.locator("a.e.completed")).to_have_count(shown)
    shot(page, "visits-calendar")
    page.locator("td.today a.e.planned", has_text=shop.name).click()
    page.wait_for_load_state("networkidle")

    # record it: what was discussed, an internal note, then a photo and an action for the distributor
    page.fill("#id_participants", "刘总（总经理）、采购陈经理")
    page.fill("#id_topics", "新品铺货与终端陈列检查")
    page.fill("#id_problems", "三家门店堆头未按方案执行")
    page.fill("#id_internal_notes", "老板对返利政策有顾虑，需区域经理出面")
    page.locator("#record button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
    page.locator("#actions summary").click()
    page.fill("#id_description", "整改门店陈列并提交照片")
    page.fill("#id_due_date", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.locator("#actions form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    photo = tmp_path / "shelf.jpg"
    photo.write_bytes(demo_photo(random.Random(7)).read())
    page.set_input_files("#id_photo", str(photo))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".v-photos img")).to_have_count(1)
    expect(page.locator(".v-actions li")).to_have_count(1)
    shot(page, "visits-record")

    page.goto(f"{base}/backoffice/visits/")
    expect(page.locator("table.v-table tbody tr")).to_have_count(8)
    shot(page, "visits-list")
    assert not watch.problems, watch.problems

    # the distributor: the visit without the internal notes, and its action to close
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    login(phone, base, "dist1_admin")
    phone.goto(f"{base}/portal/visits/")
    expect(phone.locator("#my-actions .v-actions li")).to_have_count(1)
    assert "返利政策有顾虑" not in phone.content()
    shot(phone, "visits-portal")
    phone.locator(".p-visits a").first.click()
    phone.wait_for_load_state("networkidle")
    assert "三家门店堆头" in phone.content() and "返利政策有顾虑" not in phone.content()
    phone.locator(".v-actions button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    assert VisitAction.objects.get(visit=visit).status == VisitAction.Status.DONE
