from decimal import Decimal

import pytest
from django.db.models import Count

from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import ProductFactory, portal_user
from dms.marketing import services
from dms.marketing.models import ActionTag, Feedback, FeedbackAttachment, Material, MaterialDownload
from dms.notifications.models import Notification

from .factories import make_feedback, make_material, pdf, png

pytestmark = pytest.mark.django_db
St = Feedback.Status


def test_submit_feedback_defaults_the_region_to_the_distributors_city_and_tells_the_channel_manager(
        distributor, dist_admin, channel_manager, django_capture_on_commit_callbacks):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        fb = make_feedback(distributor, dist_admin, product_id=product.pk, competitor_name="某品牌",
                           competitor_price="9.995", attachments=[png(), pdf()])
    assert fb.status == St.NEW and fb.number.startswith("FB")
    assert (fb.region_code, fb.province_code) == ("4403", "44")  # 440305 → 深圳市
    assert fb.competitor_price == Decimal("10.00")  # rounded half-up to the cent
    assert sorted(FeedbackAttachment.objects.filter(feedback=fb).values_list("kind", flat=True)) == ["pdf", "png"]
    note = Notification.objects.get(user=channel_manager)
    assert note.category == "feedback" and fb.title in note.title


def test_invalid_feedback_changes_nothing(distributor, dist_admin):
    bad = pdf()
    bad.file = type(bad.file)(b"MZ not a pdf")
    bad.size = 12
    with pytest.raises(ValidationFailed) as exc:
        make_feedback(distributor, dist_admin, title=" ", rating=6, region_code="999999", category="gossip",
                      competitor_price="-1", attachments=[bad])
    assert set(exc.value.fields) == {"title", "rating", "region_code", "category", "competitor_price", "attachments"}
    assert not Feedback.objects.exists() and not FeedbackAttachment.objects.exists()


def test_a_distributor_user_cannot_submit_for_another_distributor(distributor, other_distributor):
    outsider = portal_user(other_distributor, "distributor_admin", username="o1")
    with pytest.raises(NotAllowed):
        make_feedback(distributor, outsider)


def test_transitions_new_triaged_responded_closed(distributor, dist_admin, channel_manager,
                                                  django_capture_on_commit_callbacks):
    fb = make_feedback(distributor, dist_admin)
    with pytest.raises(InvalidTransition):  # answer only after triage
        services.respond_feedback(feedback_id=fb.pk, actor=channel_manager, response="收到")
    tags = list(ActionTag.objects.filter(code__in=["price_review", "forwarded_to_product"]))
    services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="high",
                             action_tag_ids=[t.pk for t in tags])
    fb.refresh_from_db()
    assert fb.status == St.TRIAGED and fb.priority == "high" and fb.triaged_at
    assert set(fb.action_tags.values_list("code", flat=True)) == {"price_review", "forwarded_to_product"}
    with django_capture_on_commit_callbacks(execute=True):
        services.respond_feedback(feedback_id=fb.pk, actor=channel_manager, response="已转价格组复核。")
    fb.refresh_from_db()
    assert fb.status == St.RESPONDED and fb.responded_by == channel_manager
    assert Notification.objects.filter(user=dist_admin, category="feedback").count() == 1
    # retagging stays possible after the response; the status does not move back
    services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="low", action_tag_ids=[])
    fb.refresh_from_db()
    assert fb.status == St.RESPONDED and fb.priority == "low" and not fb.action_tags.exists()
    services.close_feedback(feedback_id=fb.pk, actor=channel_manager)
    services.close_feedback(feedback_id=fb.pk, actor=channel_manager)  # a retry is a no-op
    fb.refresh_from_db()
    assert fb.status == St.CLOSED and fb.closed_at
    for call in (lambda: services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="low"),
                 lambda: services.respond_feedback(feedback_id=fb.pk, actor=channel_manager, response="x")):
        with pytest.raises(InvalidTransition):
            call()


def test_triage_refuses_unknown_priority_and_tags_and_changes_nothing(distributor, dist_admin, channel_manager):
    fb = make_feedback(distributor, dist_admin)
    with pytest.raises(ValidationFailed):
        services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="whenever")
    with pytest.raises(ValidationFailed):
        services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="high", action_tag_ids=[10**6])
    fb.refresh_from_db()
    assert fb.status == St.NEW and fb.priority == "normal"
    services.triage_feedback(feedback_id=fb.pk, actor=channel_manager, priority="normal")
    with pytest.raises(ValidationFailed):
        services.respond_feedback(feedback_id=fb.pk, actor=channel_manager, response="  ")
    fb.refresh_from_db()
    assert fb.status == St.TRIAGED


def test_material_needs_a_file_or_a_link_and_checks_the_file_by_content(ops):
    with pytest.raises(ValidationFailed) as exc:
        services.create_material(actor=ops, title="无文件", category="brochure")
    assert "file" in exc.value.fields
    exe = pdf("looks.pdf")
    exe.file = type(exe.file)(b"MZ\x90\x00 an exe")
    exe.size = 14
    with pytest.raises(ValidationFailed):
        services.create_material(actor=ops, title="伪装文件", category="brochure", file=exe)
    with pytest.raises(ValidationFailed):
        services.create_material(actor=ops, title="坏链接", category="video", link="javascript:alert(1)")
    assert not Material.objects.exists()
    video = services.create_material(actor=ops, title="广告片", category="video", link="https://v.example.com/1",
                                     tags="新品， 春季,新品")
    assert video.tag_list == ["新品", "春季", "新品"] and not video.file


def test_update_replaces_the_file_and_keeps_it_when_none_is_sent(ops, django_capture_on_commit_callbacks):
    material = make_material(ops)
    first = material.file.name
    services.update_material(material_id=material.pk, actor=ops, title="改名", category="brochure")
    material.refresh_from_db()
    assert material.title == "改名" and material.file.name == first and not material.is_published
    with django_capture_on_commit_callbacks(execute=True):
        services.update_material(material_id=material.pk, actor=ops, title="改名", category="image", file=png())
    material.refresh_from_db()
    assert material.kind == "png" and material.file.name != first
    assert not material.file.storage.exists(first)


def test_downloads_are_counted_per_download_and_per_distributor(distributor, dist_admin, dist_staff,
                                                                 second_tier_user, ops):
    material = make_material(ops)
    for user in (dist_admin, dist_staff, second_tier_user):
        services.record_download(material_id=material.pk, user=user)
    services.record_download(material_id=material.pk, user=ops)  # staff are not counted
    material.refresh_from_db()
    assert material.download_count == 3
    per = dict(MaterialDownload.objects.values_list("distributor_id").annotate(n=Count("pk")))
    assert per == {distributor.pk: 2, second_tier_user.distributor_id: 1}
