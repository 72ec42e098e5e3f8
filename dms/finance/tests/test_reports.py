"""Reports: aging buckets and groupings, collections, revenue, DSO, exposure, and that a
channel manager's reports hold only his distributors."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dms.core.testing.factories import DistributorFactory
from dms.finance import reports
from dms.finance.models import DistributorAccount

from .factories_statements import at, invoice, payment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def book(distributor, other_distributor):
    """distributor (Shenzhen, cm1): one invoice per bucket; other (Beijing, cm2): 1 current."""
    other_distributor.region_code = "110101"
    other_distributor.save()
    for days, amount in ((-5, "100.00"), (10, "200.00"), (45, "300.00"), (75, "400.00"), (120, "500.00")):
        due = TODAY - dt.timedelta(days=days)
        invoice(distributor, amount, issued=due - dt.timedelta(days=30), due=due)
    paid = invoice(distributor, "1000.00", issued=dt.date(2026, 5, 1), due=dt.date(2026, 5, 31))
    payment(distributor, "1000.00", to=paid, posted_at=at(dt.date(2026, 5, 20)))
    invoice(other_distributor, "50.00", issued=TODAY, due=TODAY + dt.timedelta(days=30))
    return distributor, other_distributor


def test_aging_buckets_by_distributor(book):
    distributor, other = book
    data = reports.aging(as_of=TODAY)
    first = data["rows"][0]
    assert first["key"] == str(distributor.pk)
    assert [first[c] for c, _l in reports.BUCKETS] == [Decimal(v) for v in ("100", "200", "300", "400", "500")]
    assert first["total"] == Decimal("1500.00")
    assert data["totals"]["total"] == Decimal("1550.00") and data["totals"]["current"] == Decimal("150.00")


def test_aging_by_region_and_channel_manager(book):
    by_region = {r["label"]: r["total"] for r in reports.aging(as_of=TODAY, group_by="region")["rows"]}
    assert by_region == {"广东省": Decimal("1500.00"), "北京市": Decimal("50.00")}
    by_cm = {r["key"]: r["total"] for r in reports.aging(as_of=TODAY, group_by="channel_manager")["rows"]}
    assert by_cm == {"cm1": Decimal("1500.00"), "cm2": Decimal("50.00")}
    only_bj = reports.aging(as_of=TODAY, filters={"province": "11"})
    assert only_bj["totals"]["total"] == Decimal("50.00")


def test_collections_revenue_dso(book):
    rows = reports.collections(since=dt.date(2026, 1, 1), until=TODAY)
    assert [(r["period"].strftime("%Y-%m"), r["amount"]) for r in rows] == [("2026-05", Decimal("1000.00"))]
    revenue = {r["period"].strftime("%Y-%m"): r["amount"] for r in reports.revenue(since=dt.date(2026, 1, 1),
                                                                                  until=TODAY)}
    assert revenue["2026-05"] > 0
    dso = reports.dso(today=TODAY)
    assert dso["receivable"] == Decimal("1550.00")
    # invoiced in the last 90 days (issue date after 2026-03-12): 100 + 200 + 300 + 1000 + 50
    assert dso["invoiced_90"] == Decimal("1650.00")
    assert dso["days"] == (Decimal("1550.00") / Decimal("1650.00") * 90).quantize(Decimal("0.1"))


def test_exposure_sorted_by_utilisation(book):
    distributor, other = book
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal("1000.00"))
    rows = reports.exposure(only_used=True)
    assert rows[0]["distributor"] == distributor
    assert rows[0]["utilisation"] == Decimal("150.0") and rows[0]["over"] and rows[0]["available"] == Decimal("-500")


def test_channel_manager_sees_only_his_distributors(client, book, channel_manager):
    distributor, other = book
    client.force_login(channel_manager)
    response = client.get(reverse("finance:aging"))
    assert response.status_code == 200
    text = response.content.decode()
    assert distributor.name in text and other.name not in text
    export = client.get(reverse("finance:aging"), {"export": "xlsx", "group_by": "region"})
    ws = load_workbook(__import__("io").BytesIO(export.content)).active
    labels = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert labels[0] == "广东省" and len(labels) == 2  # the province, then the total
    exposure = client.get(reverse("finance:exposure")).content.decode()
    assert distributor.name in exposure and other.name not in exposure


@pytest.mark.parametrize("name", ["finance:aging", "finance:collections", "finance:exposure"])
def test_report_pages_render_with_charts_for_finance(client, book, make_staff, name):
    client.force_login(make_staff("finance"))
    response = client.get(reverse(name), {"unit": "week", "group_by": "channel_manager"})
    assert response.status_code == 200
    assert b'data-chart="' in response.content
    export = client.get(reverse(name), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_distributor_users_cannot_open_reports(client, book, dist_admin):
    client.force_login(dist_admin)
    assert client.get(reverse("finance:aging")).status_code == 404


def test_score_page_shows_factors(client, distributor, make_staff):
    from dms.finance import scoring

    scoring.score_distributor(distributor=distributor, today=TODAY)
    client.force_login(make_staff("finance"))
    text = client.get(reverse("finance:score", args=[distributor.pk])).content.decode()
    assert "/ 100" in text and "30 / 30" not in text and "24 / 30" in text  # no invoice due yet


def test_dashboard_panel(client, book, make_staff):
    client.force_login(make_staff("finance"))
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200 and reverse("finance:dashboard_panel").encode() in response.content
    response = client.get(reverse("finance:dashboard_panel"))
    assert b'data-chart="dash-aging"' in response.content and b'data-chart="dash-cash"' in response.content
    cm_user = make_staff("sales_ops")
    DistributorFactory()
    client.force_login(cm_user)
    assert client.get(reverse("backoffice:dashboard")).status_code == 200
