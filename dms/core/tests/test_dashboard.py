"""The back-office dashboard counts what the user may see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dms.core.testing.factories import ContractFactory, DistributorFactory, QualificationFactory, tier
from dms.distributors.models import Contract, Distributor, Qualification, Review
from dms.notifications.services import notify

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def contract(distributor, days_left, **kwargs):
    return ContractFactory(distributor=distributor, start_date=TODAY - dt.timedelta(days=300),
                           end_date=TODAY + dt.timedelta(days=days_left), **kwargs)


@pytest.fixture
def network(channel_manager, make_staff):
    """cm1 manages three distributors, cm2 two; each set has reviews, documents and contracts."""
    cm2 = make_staff("channel_manager", username="cm2")
    mine = [
        DistributorFactory(channel_manager=channel_manager, region_code="440305"),  # 广东 深圳
        DistributorFactory(channel_manager=channel_manager, region_code="440106", status=Distributor.Status.SUSPENDED),
        DistributorFactory(channel_manager=channel_manager, region_code="310101", tier=tier(2),
                           status=Distributor.Status.PENDING_REVIEW),
    ]
    theirs = [DistributorFactory(channel_manager=cm2, region_code="110101") for _ in range(2)]
    for d in (mine[0], theirs[0]):
        Review.objects.create(distributor=d, kind=Review.Kind.PERIODIC, due_date=TODAY - dt.timedelta(days=2))
        QualificationFactory(distributor=d, valid_to=TODAY + dt.timedelta(days=10))
        QualificationFactory(distributor=d, valid_to=TODAY - dt.timedelta(days=10))
        contract(d, 20)
        contract(d, -5, status=Contract.Status.EXPIRED)
    Review.objects.create(distributor=mine[2], kind=Review.Kind.ONBOARDING, due_date=TODAY + dt.timedelta(days=5))
    QualificationFactory(distributor=mine[1], verification_status=Qualification.Verification.PENDING)
    contract(mine[1], 45)
    contract(mine[1], 400)
    return mine, theirs


def test_channel_manager_counts_only_his_distributors(client, channel_manager, network):
    client.force_login(channel_manager)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    ctx = response.context
    distributors = ctx["distributors"]
    assert distributors["total"] == 3
    statuses = {s["value"]: s["count"] for s in distributors["statuses"]}
    assert statuses["active"] == 1 and statuses["suspended"] == 1 and statuses["pending_review"] == 1
    assert {t["label"]: t["count"] for t in distributors["tiers"]} == {tier(1).name: 2, tier(2).name: 1}
    provinces = {p["label"]: p["count"] for p in distributors["provinces"]}
    assert provinces == {"广东省": 2, "上海市": 1}
    assert ctx["reviews"]["pending"] == 2 and ctx["reviews"]["overdue"] == 1
    assert ctx["qualifications"]["expiring"] == 1
    assert ctx["qualifications"]["expired"] == 1
    assert ctx["qualifications"]["pending"] == 1
    assert ctx["contracts"]["expiring"] == 2  # 20 and 45 days
    assert ctx["contracts"]["expired"] == 1
    html = response.content.decode()
    # each number links to its filtered list
    assert reverse("distributors:contracts") + "?quick=expiring" in html
    assert reverse("distributors:qualifications") + "?quick=expired" in html
    assert reverse("distributors:reviews") + "?status=pending&amp;overdue=true" in html
    assert reverse("distributors:list") + "?province=44" in html
    assert reverse("distributors:list") + "?status=suspended" in html


def test_dashboard_counts_match_the_lists_they_link_to(client, channel_manager, network):
    client.force_login(channel_manager)
    ctx = client.get(reverse("backoffice:dashboard")).context
    contracts = client.get(reverse("distributors:contracts"), {"quick": "expiring"}).context["page_obj"]
    assert contracts.paginator.count == ctx["contracts"]["expiring"]
    expired = client.get(reverse("distributors:qualifications"), {"quick": "expired"}).context["page_obj"]
    assert expired.paginator.count == ctx["qualifications"]["expired"]
    overdue = client.get(reverse("distributors:reviews"), {"status": "pending", "overdue": "true"})
    assert overdue.context["page_obj"].paginator.count == ctx["reviews"]["overdue"]


def test_admin_counts_everything(client, admin_user, network):
    client.force_login(admin_user)
    ctx = client.get(reverse("backoffice:dashboard")).context
    assert ctx["distributors"]["total"] == 5
    assert ctx["reviews"]["overdue"] == 2
    assert ctx["contracts"]["expired"] == 2


def test_unread_notifications_are_shown(client, channel_manager, network):
    notify([channel_manager], title="A")
    notify([channel_manager], title="B")
    client.force_login(channel_manager)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.context["unread_notifications"] == 2
    assert reverse("notifications:list") in response.content.decode()


def test_warehouse_sees_only_what_its_role_reads(client, make_staff, network):
    client.force_login(make_staff("warehouse"))
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    assert response.context["distributors"]["total"] == 5
    assert "contracts" not in response.context and "reviews" not in response.context


def test_distributor_user_gets_404_and_anonymous_is_sent_to_login(client, dist_admin):
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(dist_admin)
    assert client.get(reverse("backoffice:dashboard")).status_code == 404


def test_dashboard_query_count_does_not_grow_with_data(client, admin_user, network):
    client.force_login(admin_user)
    client.get(reverse("backoffice:dashboard"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("backoffice:dashboard"))
    for _ in range(10):
        d = DistributorFactory(region_code="320102")
        Review.objects.create(distributor=d, kind=Review.Kind.PERIODIC)
        contract(d, 10)
        QualificationFactory(distributor=d, valid_to=TODAY)
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("backoffice:dashboard"))
    assert len(big) == len(small)
    # 21 for the distributor, order and stock figures; the feature apps' panels (finance, crm, tickets, visits,
    # messages, training, feedback) add about 2 each
    assert len(big) <= 36, [q["sql"][:80] for q in big.captured_queries]
