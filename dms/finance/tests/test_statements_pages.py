"""Statement and settlement pages (back office and portal), the PDF and Excel documents,
and the statements API."""

import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dms.core.testing.factories import bearer
from dms.finance import settlements, statement_documents, statements
from dms.finance.models import Settlement, Statement, StatementDispute

from .factories_statements import at, grant_rebate, invoice, payment

pytestmark = pytest.mark.django_db
MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


@pytest.fixture(autouse=True)
def _june():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def fin(make_staff):
    return make_staff("finance", username="fin1")


@pytest.fixture
def statement(distributor):
    inv = invoice(distributor, "2260.00", issued=dt.date(2026, 5, 3))
    payment(distributor, "1000.00", to=inv, posted_at=at(dt.date(2026, 5, 20)))
    return statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])


# --- documents -----------------------------------------------------------------------


def test_pdf_has_the_numbers_in_chinese(statement, tmp_path):
    path = tmp_path / "s.pdf"
    path.write_bytes(statement_documents.statement_pdf(statement))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607
    assert statement.number in text and statement.distributor.name in text
    assert "¥2,260.00" in text and "¥1,260.00" in text


def test_xlsx_has_summary_and_lines(client, statement, fin):
    client.force_login(fin)
    response = client.get(reverse("finance:statement_xlsx", args=[statement.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    summary, lines = wb.worksheets
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)}
    assert statement.number in values.values() and Decimal(str(values[summary["A12"].value])) == Decimal("1260")
    rows = list(lines.iter_rows(min_row=2, values_only=True))
    assert [(r[4], r[5], r[6]) for r in rows] == [(2260, 0, 2260), (0, 1000, 1260)]


# --- back office ---------------------------------------------------------------------


def test_back_office_list_detail_and_filters(client, statement, fin, other_distributor):
    client.force_login(fin)
    text = client.get(reverse("finance:statements"), {"period": "2026-05", "status": "issued"}).content.decode()
    assert statement.number in text
    assert statement.number not in client.get(reverse("finance:statements"), {"period": "2026-04"}).content.decode()
    export = client.get(reverse("finance:statements"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = client.get(reverse("finance:statement", args=[statement.pk]))
    assert detail.status_code == 200 and "¥1,260.00" in detail.content.decode()
    assert client.get(reverse("finance:statement_pdf", args=[statement.pk]))["Content-Type"] == "application/pdf"


def test_generate_form(client, distributor, fin):
    invoice(distributor, "10.00", issued=dt.date(2026, 5, 3))
    client.force_login(fin)
    assert client.get(reverse("finance:statement_generate")).status_code == 200
    bad = client.post(reverse("finance:statement_generate"), {"distributor": distributor.pk,
                                                              "period_start": "2026-05-31", "period_end": "2026-05-01"})
    assert bad.status_code == 400 and not Statement.objects.exists()
    response = client.post(reverse("finance:statement_generate"), {
        "distributor": distributor.pk, "period_start": "2026-05-01", "period_end": "2026-05-31"})
    s = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("finance:statement", args=[s.pk])


def test_channel_manager_reads_but_cannot_generate_or_resolve(client, statement, channel_manager):
    client.force_login(channel_manager)
    assert client.get(reverse("finance:statement", args=[statement.pk])).status_code == 200
    assert client.get(reverse("finance:statement_generate")).status_code == 403
    assert client.post(reverse("finance:statement_resolve", args=[statement.pk]), {"resolution": "x"}).status_code == 403


def test_dispute_queue_and_resolve(client, statement, fin, dist_admin):
    statements.dispute_statement(statement_id=statement.pk, actor=dist_admin, comment="付款日期不对")
    client.force_login(fin)
    assert "付款日期不对" in client.get(reverse("finance:statement_disputes")).content.decode()
    empty = client.post(reverse("finance:statement_resolve", args=[statement.pk]), {"resolution": ""})
    assert empty.status_code == 400
    client.post(reverse("finance:statement_resolve", args=[statement.pk]), {"resolution": "已更正"})
    statement.refresh_from_db()
    assert statement.status == "resolved" and StatementDispute.objects.get().resolution == "已更正"


def test_settlement_pages_four_eyes(client, distributor, fin, make_staff):
    grant_rebate(distributor, "1000.00")
    client.force_login(fin)
    assert client.get(reverse("finance:settlement_create")).status_code == 200
    too_much = client.post(reverse("finance:settlement_create"), {"distributor": distributor.pk, "kind": "rebate",
                                                                 "amount": "1000.01"})
    assert too_much.status_code == 400 and not Settlement.objects.exists()
    client.post(reverse("finance:settlement_create"), {"distributor": distributor.pk, "kind": "rebate",
                                                       "amount": "600.00", "description": "返利兑现"})
    s = Settlement.objects.get()
    client.post(reverse("finance:settlement_action", args=[s.pk, "submit"]))
    client.post(reverse("finance:settlement_action", args=[s.pk, "approve"]))
    s.refresh_from_db()
    assert s.status == "submitted"  # the creator cannot approve
    client.force_login(make_staff("finance"))
    assert client.get(reverse("finance:settlement", args=[s.pk])).status_code == 200
    client.post(reverse("finance:settlement_action", args=[s.pk, "approve"]), {"note": "同意"})
    s.refresh_from_db()
    assert s.status == "approved" and s.entry_id
    assert "返利兑现" in client.get(reverse("finance:settlements")).content.decode()


# --- portal --------------------------------------------------------------------------


def test_portal_confirm(client, statement, dist_admin):
    client.force_login(dist_admin)
    assert statement.number in client.get(reverse("finance_portal:statements")).content.decode()
    page = client.get(reverse("finance_portal:statement", args=[statement.pk]))
    assert page.status_code == 200 and 'id="confirm-statement"' in page.content.decode()
    client.post(reverse("finance_portal:statement_confirm", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.status == "confirmed" and statement.confirmed_by == dist_admin
    assert client.get(reverse("finance_portal:statement_pdf", args=[statement.pk]))["Content-Type"] == "application/pdf"
    assert client.get(reverse("finance_portal:statement_xlsx", args=[statement.pk])).status_code == 200


def test_portal_dispute_a_line(client, statement, dist_admin):
    client.force_login(dist_admin)
    line = statement.lines.first()
    form = client.get(reverse("finance_portal:statement", args=[statement.pk]), {"dispute": 1, "line": line.pk})
    assert 'id="dispute"' in form.content.decode()
    empty = client.post(reverse("finance_portal:statement_dispute", args=[statement.pk]), {"comment": ""})
    assert empty.status_code == 400 and not StatementDispute.objects.exists()
    client.post(reverse("finance_portal:statement_dispute", args=[statement.pk]),
                {"comment": "这张发票我们没有收到", "line": line.pk})
    dispute = StatementDispute.objects.get()
    assert dispute.line == line and dispute.raised_by == dist_admin


def test_portal_other_distributor_gets_404(client, statement, other_dist_admin):
    client.force_login(other_dist_admin)
    assert client.get(reverse("finance_portal:statement", args=[statement.pk])).status_code == 404
    assert client.post(reverse("finance_portal:statement_confirm", args=[statement.pk])).status_code == 404
    assert statement.number not in client.get(reverse("finance_portal:statements")).content.decode()


def test_portal_dashboard_panel(client, statement, dist_admin):
    client.force_login(dist_admin)
    text = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("finance_portal:statement", args=[statement.pk]) in text and "¥1,260.00" in text


# --- API -----------------------------------------------------------------------------


def test_api_distributor_lists_confirms_and_disputes(statement, dist_admin, other_distributor, distributor):
    api = APIClient()
    headers = bearer(dist_admin)
    listed = api.get("/api/v1/statements/", **headers).json()
    assert listed["count"] == 1 and listed["results"][0]["closing_balance"] == "1260.00"
    detail = api.get(f"/api/v1/statements/{statement.pk}/", **headers).json()
    assert [line["debit"] for line in detail["lines"]] == ["2260.00", "0.00"]
    dispute = api.post(f"/api/v1/statements/{statement.pk}/dispute/", {"comment": "金额不符",
                                                                       "line": detail["lines"][0]["id"]},
                       format="json", **headers)
    assert dispute.status_code == 201 and dispute.json()["line"] == detail["lines"][0]["id"]
    refused = api.post(f"/api/v1/statements/{statement.pk}/confirm/", **headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
    assert api.post("/api/v1/statements/generate/", {"distributor": distributor.pk, "period_start": "2026-05-01",
                                                     "period_end": "2026-05-31"}, format="json",
                    **headers).status_code == 403
    assert api.get(f"/api/v1/statements/{statement.pk}/pdf/", **headers)["Content-Type"] == "application/pdf"
    assert api.get(f"/api/v1/statements/{statement.pk}/xlsx/", **headers).status_code == 200


def test_api_other_distributor_gets_404(statement, other_dist_admin):
    api = APIClient()
    headers = bearer(other_dist_admin)
    assert api.get("/api/v1/statements/", **headers).json()["count"] == 0
    for path in ("", "pdf/", "xlsx/"):
        assert api.get(f"/api/v1/statements/{statement.pk}/{path}", **headers).status_code == 404
    assert api.post(f"/api/v1/statements/{statement.pk}/confirm/", **headers).status_code == 404


def test_api_generate_by_finance(distributor, fin, other_distributor):
    invoice(distributor, "10.00", issued=dt.date(2026, 5, 3))
    api = APIClient()
    headers = bearer(fin)
    body = {"distributor": distributor.pk, "period_start": "2026-05-01", "period_end": "2026-05-31"}
    created = api.post("/api/v1/statements/generate/", body, format="json", **headers)
    assert created.status_code == 201 and created.json()["closing_balance"] == "10.00"
    bad = api.post("/api/v1/statements/generate/", {**body, "period_end": "2026-04-01"}, format="json", **headers)
    assert bad.status_code == 400 and "period_end" in bad.json()["error"]["fields"]
    assert api.get("/api/v1/statements/", {"distributor": other_distributor.pk}, **headers).json()["count"] == 0


def test_api_channel_manager_cannot_see_others(statement, make_staff):
    api = APIClient()
    headers = bearer(make_staff("channel_manager", username="cm9"))
    assert api.get(f"/api/v1/statements/{statement.pk}/", **headers).status_code == 404


def test_api_settlements_read(distributor, fin, dist_admin, make_staff):
    grant_rebate(distributor, "100.00")
    s = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="40.00", actor=fin)
    api = APIClient()
    data = api.get("/api/v1/settlements/", **bearer(dist_admin)).json()
    assert data["results"][0]["amount"] == "40.00"
    assert api.get(f"/api/v1/settlements/{s.pk}/", **bearer(make_staff("finance"))).status_code == 200
