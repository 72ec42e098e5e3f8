import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dms.core.scoping import user_scope
from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, tier
from dms.marketing import selectors
from dms.marketing.models import Feedback

from .factories import make_feedback, make_material

pytestmark = pytest.mark.django_db


def _at(day, distributor, **kwargs):
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), tick=False):
        return make_feedback(distributor, **kwargs)


def test_analysis_counts_and_average_ratings_by_month_category_product_and_province(distributor):
    beijing = DistributorFactory(region_code="110105")
    water, tea = ProductFactory(name="山泉水"), ProductFactory(name="绿茶")
    _at(dt.date(2026, 3, 5), distributor, category="price", rating=5, product_id=water.pk)
    _at(dt.date(2026, 3, 31), distributor, category="price", rating=4, product_id=water.pk)
    _at(dt.date(2026, 4, 1), beijing, category="demand", rating=2, product_id=tea.pk)
    _at(dt.date(2026, 4, 2), beijing, category="competitor", rating=4)
    data = selectors.feedback_analysis(Feedback.objects.all())
    assert data["count"] == 4 and data["average"] == Decimal("3.8")  # 15 / 4 = 3.75 → 3.8 half-up
    assert [(m["label"], m["count"], m["average"]) for m in data["by_month"]] == [
        ("2026-03", 2, Decimal("4.5")), ("2026-04", 2, Decimal("3.0"))]
    assert {g["key"]: (g["count"], g["average"]) for g in data["by_category"]} == {
        "price": (2, Decimal("4.5")), "demand": (1, Decimal("2.0")), "competitor": (1, Decimal("4.0"))}
    assert [(g["label"], g["count"]) for g in data["by_product"]] == [("山泉水", 2), ("绿茶", 1)]
    assert [(g["label"], g["count"]) for g in data["by_province"]] == [("北京市", 2), ("广东省", 2)]
    only_march = selectors.feedback_analysis(Feedback.objects.filter(created_at__date__lt=dt.date(2026, 4, 1)))
    assert only_march["count"] == 2 and only_march["by_province"][0]["key"] == "44"


def test_a_month_is_the_local_month(distributor):
    # 2026-03-31 23:30 in Shanghai is still March there (15:30 UTC)
    with time_machine.travel(dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC), tick=False):
        make_feedback(distributor)
    assert [m["label"] for m in selectors.feedback_analysis(Feedback.objects.all())["by_month"]] == ["2026-03"]


def test_visible_materials_follow_the_tier_and_the_published_flag(distributor, second_tier_distributor,
                                                                   channel_manager):
    staff = UserFactory(roles=["admin"])
    everyone = make_material(title="全员")
    first_only = make_material(title="一级", tiers=[tier(1).pk])
    make_material(title="草稿", is_published=False)
    second_only = make_material(title="二级", tiers=[tier(2).pk])
    first_user = portal_user(distributor, "distributor_admin", username="u1")
    second_user = portal_user(second_tier_distributor, "distributor_admin", username="u2")

    def titles(user):
        with user_scope(user):
            return sorted(m.title for m in selectors.visible_materials(user))

    assert titles(first_user) == sorted([everyone.title, first_only.title])
    assert titles(second_user) == sorted([everyone.title, second_only.title])
    assert titles(channel_manager) == sorted([everyone.title, first_only.title])  # his distributors' tier
    assert len(titles(staff)) == 4  # drafts too
