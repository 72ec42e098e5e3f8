import pytest
from django.urls import reverse

from dms.core.testing.factories import ProductFactory, tier
from dms.marketing.models import ActionTag, Feedback, Material

from .factories import make_feedback, make_material, png

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- portal --------------------------------------------------------------------------


def test_distributor_sends_feedback_from_the_portal_and_sees_the_response(client, distributor, dist_admin,
                                                                          channel_manager):
    client.force_login(dist_admin)
    page = client.get(reverse("marketing_portal:feedback_create"))
    assert page.status_code == 200 and "data-region-level" in page.text
    product = ProductFactory(name="禾丰山泉水")
    response = client.post(reverse("marketing_portal:feedback_create"), {
        "category": "competitor", "title": "竞品买二送一", "product": product.pk, "details": "本周商超促销。",
        "rating": "5", "region_code": "4401", "competitor_name": "某品牌", "competitor_price": "19.90",
        "attachments": [png("a.png"), png("b.png")]})
    fb = Feedback.objects.get()
    assert response.status_code == 302 and response.url == reverse("marketing_portal:feedback_detail", args=[fb.pk])
    assert (fb.region_code, fb.rating, fb.attachments.count()) == ("4401", 5, 2)
    fb.status, fb.response = Feedback.Status.RESPONDED, "感谢反馈，已安排跟进。"
    fb.save()
    detail = client.get(response.url)
    assert "感谢反馈，已安排跟进。" in detail.text and "广州市" in detail.text
    listing = client.get(reverse("marketing_portal:feedback_list"))
    assert "竞品买二送一" in listing.text
    image = client.get(reverse("marketing_portal:feedback_attachment", args=[fb.attachments.first().pk]) + "?inline=1")
    assert image.status_code == 200 and image["Content-Disposition"] == "inline"


def test_invalid_portal_feedback_shows_the_errors_and_saves_nothing(client, dist_admin):
    client.force_login(dist_admin)
    response = client.post(reverse("marketing_portal:feedback_create"), {"category": "price", "title": "",
                                                                         "details": "x", "rating": "3"})
    assert response.status_code == 400 and not Feedback.objects.exists()


def test_portal_feedback_of_another_distributor_is_404(client, distributor, other_distributor, other_dist_admin):
    fb = make_feedback(distributor)
    client.force_login(other_dist_admin)
    assert client.get(reverse("marketing_portal:feedback_detail", args=[fb.pk])).status_code == 404
    assert "竞品降价" not in client.get(reverse("marketing_portal:feedback_list")).text


def test_portal_library_shows_and_counts_only_what_the_tier_may_download(client, dist_admin, second_tier_user):
    mine = make_material(title="一级专享手册", tiers=[tier(1).pk])
    theirs = make_material(title="二级专享手册", tiers=[tier(2).pk])
    make_material(title="未发布海报", is_published=False)
    client.force_login(dist_admin)
    page = client.get(reverse("marketing_portal:materials"))
    assert "一级专享手册" in page.text and "二级专享手册" not in page.text and "未发布海报" not in page.text
    assert client.get(reverse("marketing_portal:material_download", args=[theirs.pk])).status_code == 404
    download = client.get(reverse("marketing_portal:material_download", args=[mine.pk]))
    assert download.status_code == 200 and _body(download).startswith(b"%PDF")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.download_count, theirs.download_count) == (1, 0)
    dash = client.get(reverse("portal:dashboard"))
    assert "一级专享手册" in dash.text


def test_a_link_material_redirects_and_counts(client, dist_admin):
    video = make_material(title="品牌片", category="video", file=None, link="https://v.example.com/brand")
    client.force_login(dist_admin)
    response = client.get(reverse("marketing_portal:material_download", args=[video.pk]))
    assert response.status_code == 302 and response.url == "https://v.example.com/brand"
    video.refresh_from_db()
    assert video.download_count == 1


def test_image_preview_is_inline_and_not_counted(client, dist_admin):
    poster = make_material(title="海报", category="image", file=png())
    client.force_login(dist_admin)
    response = client.get(reverse("marketing_portal:material_preview", args=[poster.pk]))
    assert response.status_code == 200 and response["Content-Disposition"] == "inline"
    poster.refresh_from_db()
    assert poster.download_count == 0


# --- back office ---------------------------------------------------------------------


def test_inbox_filters_sorts_and_exports(client, channel_manager, distributor, other_distributor):
    make_feedback(distributor, title="本区价格战", category="price")
    make_feedback(distributor, title="新口味需求", category="demand", rating=2)
    make_feedback(other_distributor, title="别人的反馈")
    client.force_login(channel_manager)
    page = client.get(reverse("marketing:feedback_list"))
    assert page.status_code == 200
    assert "本区价格战" in page.text and "新口味需求" in page.text and "别人的反馈" not in page.text
    filtered = client.get(reverse("marketing:feedback_list"), {"category": "demand", "sort": "-rating"},
                          HTTP_HX_REQUEST="true")
    assert "新口味需求" in filtered.text and "本区价格战" not in filtered.text
    export = client.get(reverse("marketing:feedback_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_staff_triage_respond_and_close_from_the_detail_page(client, channel_manager, distributor, dist_admin):
    fb = make_feedback(distributor, dist_admin)
    client.force_login(channel_manager)
    detail = client.get(reverse("marketing:feedback_detail", args=[fb.pk]))
    assert detail.status_code == 200 and fb.title in detail.text
    tag = ActionTag.objects.get(code="price_review")
    client.post(reverse("marketing:feedback_triage", args=[fb.pk]), {"priority": "urgent", "action_tags": [tag.pk]})
    bad = client.post(reverse("marketing:feedback_respond", args=[fb.pk]), {"response": ""})
    assert bad.status_code == 400
    client.post(reverse("marketing:feedback_respond", args=[fb.pk]), {"response": "已复核，下周调价。"})
    client.post(reverse("marketing:feedback_close", args=[fb.pk]))
    fb.refresh_from_db()
    assert (fb.status, fb.priority, fb.response) == (Feedback.Status.CLOSED, "urgent", "已复核，下周调价。")
    assert list(fb.action_tags.all()) == [tag]


def test_another_channel_managers_feedback_is_404(client, make_staff, distributor):
    fb = make_feedback(distributor)
    client.force_login(make_staff("channel_manager", username="cm9"))
    assert client.get(reverse("marketing:feedback_detail", args=[fb.pk])).status_code == 404
    assert client.post(reverse("marketing:feedback_close", args=[fb.pk])).status_code == 404
    fb.refresh_from_db()
    assert fb.status == Feedback.Status.NEW


def test_analysis_page_renders_charts_and_exports(client, ops, distributor):
    make_feedback(distributor, rating=5)
    make_feedback(distributor, rating=2, category="demand")
    client.force_login(ops)
    page = client.get(reverse("marketing:analysis"), {"category": "price"})
    assert page.status_code == 200 and 'data-chart="chart-months"' in page.text
    assert page.context["data"]["count"] == 1
    export = client.get(reverse("marketing:analysis"), {"export": "xlsx"})
    assert export.status_code == 200


def test_dashboard_shows_new_feedback(client, channel_manager, distributor):
    make_feedback(distributor)
    client.force_login(channel_manager)
    page = client.get(reverse("backoffice:dashboard"))
    assert page.status_code == 200 and reverse("marketing:feedback_list") + "?status=new" in page.text


def test_materials_crud_with_download_stats(client, ops, dist_admin):
    client.force_login(ops)
    assert client.get(reverse("marketing:material_create")).status_code == 200
    response = client.post(reverse("marketing:material_create"), {
        "title": "夏季促销海报", "category": "image", "description": "门店张贴", "tags": "促销,夏季",
        "file": png("poster.png"), "tiers": [tier(1).pk], "is_published": "on"})
    material = Material.objects.get()
    assert response.status_code == 302 and material.kind == "png" and list(material.tiers.all()) == [tier(1)]
    client.force_login(dist_admin)
    client.get(reverse("marketing_portal:material_download", args=[material.pk]))
    client.force_login(ops)
    detail = client.get(reverse("marketing:material_detail", args=[material.pk]))
    assert detail.status_code == 200 and dist_admin.distributor.name in detail.text
    listing = client.get(reverse("marketing:materials"), {"search": "夏季"})
    assert "夏季促销海报" in listing.text
    edit = client.post(reverse("marketing:material_edit", args=[material.pk]), {"title": "夏季海报", "category": "image"})
    assert edit.status_code == 302
    material.refresh_from_db()
    assert material.title == "夏季海报" and material.file and not material.is_published
    client.post(reverse("marketing:material_delete", args=[material.pk]))
    assert not Material.objects.exists()


def test_channel_managers_do_not_manage_materials(client, channel_manager, dist_admin):
    material = make_material()
    client.force_login(channel_manager)
    assert client.get(reverse("marketing:materials")).status_code == 403
    assert client.get(reverse("marketing:material_edit", args=[material.pk])).status_code == 403
    client.force_login(dist_admin)
    assert client.get(reverse("marketing:materials")).status_code == 404
