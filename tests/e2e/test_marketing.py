"""Market feedback and the materials library in real Chromium: a distributor sends
feedback from the portal (region picker, photo), its channel manager triages and answers
it in the back office, the distributor reads the answer; the analysis page draws its
charts; the portal library shows the tier's materials and downloads one. With
SCREENSHOTS=1 it writes docs/screenshots/marketing-*.png."""

import datetime as dt
import io
import os

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, tier
from dms.marketing import services
from dms.marketing.models import Feedback, Material
from dms.marketing.tests.factories import pdf

from .test_browser import PASSWORD, Watch, browser  # noqa: F401 — the browser fixture is used below
from .test_ordering import login, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HISTORY = [  # (months ago, distributor index, category, title, rating, product index)
    (5, 0, "price", "竞品整箱价下探至 22 元", 5, 0), (5, 1, "demand", "写字楼桶装水需求上升", 4, 1),
    (4, 2, "competitor", "怡宝进入高速服务区", 4, None), (4, 0, "product", "瓶盖偶有漏液", 5, 0),
    (3, 1, "price", "二批商利润变薄", 3, None), (3, 2, "demand", "学校食堂团购咨询", 3, 2),
    (2, 0, "competitor", "农夫山泉进场费补贴", 4, None), (2, 1, "other", "希望按单开票", 2, None),
    (1, 2, "product", "1.5L 装手提不便", 3, 1), (1, 0, "price", "促销价执行不一", 3, 0),
    (0, 1, "demand", "中秋礼盒需求", 4, None),
]


def _png(colour, size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _images_loaded(page):
    """The previews are real images served from the private preview URL (CSP forbids wait_for_function)."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


@pytest.fixture
def market(live_server):
    services.ensure_default_action_tags()  # a transactional test before this one flushed the migration's rows
    cm = UserFactory(username="cm_zhang", roles=["channel_manager"], first_name="伟", last_name="张")
    ops = UserFactory(username="ops_chen", roles=["sales_ops"], first_name="静", last_name="陈")
    for u in (cm, ops):
        u.set_password(PASSWORD)
        u.save()
    names = [("华南优选商贸有限公司", "440305"), ("京华源商贸有限公司", "110105"), ("蓉城佳品商贸有限公司", "510104")]
    dists = [DistributorFactory(name=n, region_code=r, channel_manager=cm) for n, r in names]
    user = portal_user(dists[0], "distributor_admin", username="buyer", first_name="磊", last_name="刘")
    user.set_password(PASSWORD)
    user.save()
    products = [ProductFactory(name=n) for n in ("禾丰天然山泉水 550ml×24", "禾丰饮用纯净水 4L×6", "禾丰绿茶 500ml×15")]
    now = timezone.now()
    for months, d, category, title, rating, p in HISTORY:
        with time_machine.travel(now - dt.timedelta(days=30 * months + 2), tick=False):
            fb = services.submit_feedback(distributor_id=dists[d].pk, actor=None, category=category, title=title,
                                          details=f"{title}：门店与二批商反馈，详见附件。", rating=rating,
                                          product_id=products[p].pk if p is not None else None)
        if months > 1:
            services.triage_feedback(feedback_id=fb.pk, actor=cm, priority="high")
            services.respond_feedback(feedback_id=fb.pk, actor=cm, response="已转相关部门跟进。")
    for title, category, content, tiers in [
        ("夏季促销海报", "poster", SimpleUploadedFile("poster.png", _png((37, 99, 235))), []),
        ("门店陈列标准图", "image", SimpleUploadedFile("shelf.png", _png((22, 163, 74))), [1]),
        ("2026 春季新品宣传册", "brochure", pdf("brochure.pdf"), []),
        ("二级分销商铺货指南", "brochure", pdf("guide.pdf"), [2]),
    ]:
        services.create_material(actor=ops, title=title, category=category, file=content, is_published=True,
                                 description=f"{title}，可直接打印使用。", tags="2026,门店",
                                 tiers=[tier(level).pk for level in tiers])
    services.create_material(actor=ops, title="品牌形象宣传片", category="video", is_published=True,
                             link="https://video.example.com/brand", description="90 秒品牌片。", tags="品牌")
    return {"base": live_server.url, "user": user, "product": products[0]}


def test_feedback_round_trip_analysis_and_library(browser, market):  # noqa: F811
    base = market["base"]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base, "buyer")

    # the distributor sends feedback: the region picker starts at its own city
    page.goto(f"{base}/portal/marketing/feedback/new/")
    expect(page.locator("select[data-region-level='1'] option:checked")).to_have_text("深圳市")
    page.select_option("#id_category", "competitor")
    page.fill("#id_title", "康师傅社区店买一送一")
    page.select_option("#id_product", str(market["product"].pk))
    page.fill("#id_details", "本周起周边社区便利店康师傅 550ml 买一送一，我们同规格动销明显放缓。")
    page.check("input[name=rating][value='5']")
    page.select_option("select[data-region-level='0']", "44")
    expect(page.locator("select[data-region-level='1'] option[value='4401']")).to_have_count(1)
    page.select_option("select[data-region-level='1']", "4401")
    page.fill("#id_competitor_name", "康师傅")
    page.fill("#id_competitor_price", "1.50")
    page.set_input_files("#id_attachments", files=[{"name": "shelf.png", "mimeType": "image/png",
                                                    "buffer": _png((220, 38, 38))}])
    shot(page, "marketing-portal-feedback-form")
    page.click("button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("FB")
    feedback = Feedback.objects.get(title="康师傅社区店买一送一")
    assert (feedback.region_code, feedback.rating, feedback.attachments.count()) == ("4401", 5, 1)

    # the channel manager triages and answers it
    staff = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    staff_watch = Watch(staff)
    staff.on("dialog", lambda dialog: dialog.accept())
    login(staff, base, "cm_zhang")
    staff.goto(f"{base}/backoffice/marketing/feedback/?status=new")
    expect(staff.locator("table.fb-table tbody tr").first).to_contain_text("康师傅社区店买一送一")
    shot(staff, "marketing-backoffice-inbox")
    staff.click("text=康师傅社区店买一送一")
    staff.select_option("#id_priority", "urgent")
    staff.check("text=价格复核")
    staff.click("form[action$='/triage/'] button")
    staff.fill("#id_response", "已收到，市场部将在下周提供社区店专项促销支持，请与渠道经理对接陈列资源。")
    shot(staff, "marketing-backoffice-feedback")
    staff.click("form[action$='/respond/'] button")
    expect(staff.locator(".response")).to_contain_text("专项促销支持")
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.RESPONDED and feedback.priority == "urgent"

    # the analysis page draws its charts
    staff.goto(f"{base}/backoffice/marketing/feedback/analysis/")
    expect(staff.locator("canvas[data-drawn]")).to_have_count(4)
    shot(staff, "marketing-backoffice-analysis")
    staff_watch.check()

    # the distributor reads the answer
    page.goto(f"{base}/portal/marketing/feedback/{feedback.pk}/")
    expect(page.locator(".response")).to_contain_text("专项促销支持")
    shot(page, "marketing-portal-feedback-detail")

    # the library shows the tier's materials (not the second tier's) and downloads one
    page.goto(f"{base}/portal/marketing/materials/")
    expect(page.locator("article.mat-card")).to_have_count(4)
    expect(page.locator("body")).not_to_contain_text("二级分销商铺货指南")
    _images_loaded(page)
    shot(page, "marketing-portal-materials")
    card = page.locator("article.mat-card", has_text="春季新品宣传册")
    with page.expect_download() as download:
        card.locator("a[role=button]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Material.objects.get(title="2026 春季新品宣传册").download_count == 1
    watch.check()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    login(phone, base, "buyer")
    phone.goto(f"{base}/portal/marketing/materials/")
    _images_loaded(phone)
    shot(phone, "marketing-portal-materials-phone")

    # staff see the download per distributor
    ops = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    login(ops, base, "ops_chen")
    ops.goto(f"{base}/backoffice/marketing/materials/")
    shot(ops, "marketing-backoffice-materials")
    ops.click("text=2026 春季新品宣传册")
    expect(ops.locator("table.mini")).to_contain_text("华南优选商贸有限公司")
    shot(ops, "marketing-backoffice-material")
