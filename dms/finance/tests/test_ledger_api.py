"""The ledger API: balances, invoices, payments (Idempotency-Key, bad input, 403 for
distributors), credit notes, the journal, and scoping (another's object is a 404)."""

import json
from decimal import Decimal

import pytest

from dms.core.testing.factories import bearer
from dms.finance import credit_notes, payments
from dms.finance.models import DistributorAccount, JournalEntry, Payment

from .factories import invoice

pytestmark = pytest.mark.django_db


def post(client, url, user, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **bearer(user), **headers)


def get(client, url, user):
    return client.get(url, **bearer(user))


@pytest.fixture
def inv(distributor, fin):
    return invoice(distributor, ("100.00", 2), actor=fin)


def test_accounts_balances(client, distributor, dist_admin, other_dist_admin, fin, inv):
    credit_notes.create_credit_note(distributor_id=distributor.pk, kind="rebate", amount="10.50", reason="返利",
                                    actor=fin)
    url = f"/api/v1/distributors/{distributor.pk}/accounts/"
    body = get(client, url, dist_admin).json()
    assert (body["receivable"], body["prepayment"], body["rebate"], body["currency"]) == (
        "200.00", "0.00", "10.50", "CNY")
    assert get(client, url, fin).status_code == 200
    assert get(client, url, other_dist_admin).status_code == 404


def test_invoices_list_filter_and_detail(client, distributor, other_distributor, dist_admin, fin, inv):
    invoice(other_distributor, ("5.00", 1), actor=fin)
    rows = get(client, "/api/v1/invoices/", dist_admin).json()
    assert rows["count"] == 1 and rows["results"][0]["number"] == inv.number
    assert rows["results"][0]["total_amount"] == "200.00" and rows["results"][0]["overdue"] is False
    staff = get(client, f"/api/v1/invoices/?distributor={distributor.pk}&status=open", fin).json()
    assert [r["id"] for r in staff["results"]] == [inv.pk]
    assert get(client, "/api/v1/invoices/?overdue=true", fin).json()["count"] == 0
    detail = get(client, f"/api/v1/invoices/{inv.pk}/", dist_admin).json()
    assert detail["lines"][0]["amount"] == "200.00" and detail["lines"][0]["tax_amount"] == "23.01"
    pdf = get(client, detail["pdf_url"], dist_admin)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_other_distributor_gets_404_on_invoice_payment_and_credit_note(client, other_dist_admin, distributor, fin,
                                                                       inv):
    p = payments.record_payment(distributor_id=distributor.pk, amount="5", method="cash", actor=fin)
    note = credit_notes.create_credit_note(distributor_id=distributor.pk, kind="rebate", amount="1", reason="x",
                                           actor=fin)
    for url in (f"/api/v1/invoices/{inv.pk}/", f"/api/v1/invoices/{inv.pk}/pdf/", f"/api/v1/payments/{p.pk}/",
                f"/api/v1/credit-notes/{note.pk}/"):
        assert get(client, url, other_dist_admin).status_code == 404, url
    assert get(client, "/api/v1/journal/", other_dist_admin).json()["count"] == 0


def test_record_payment_with_allocations(client, distributor, fin, inv):
    body = {"distributor": distributor.pk, "amount": "250.00", "method": "bank_transfer", "reference": "ABC",
            "allocations": [{"invoice": inv.pk, "amount": "200.00"}]}
    response = post(client, "/api/v1/payments/", fin, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["amount"], data["to_prepayment"], data["allocations"][0]["amount"]) == ("250.00", "50.00", "200.00")
    account = DistributorAccount.objects.get(distributor=distributor)
    assert (account.receivable, account.prepayment) == (Decimal("0"), Decimal("50.00"))


def test_idempotency_key_replays_and_rejects_another_body(client, distributor, fin):
    body = {"distributor": distributor.pk, "amount": "10.00", "method": "cash"}
    first = post(client, "/api/v1/payments/", fin, body, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = post(client, "/api/v1/payments/", fin, body, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    other = post(client, "/api/v1/payments/", fin, {**body, "amount": "11.00"}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(("amount", "allocation", "field"), [
    ("0", None, "amount"), ("-1.00", None, "amount"), ("abc", None, "amount"), ("1.005", None, "amount"),
    ("500.00", "200.01", "allocations.0.amount"), ("100.00", "150.00", "allocations"),
])
def test_bad_input_is_400_and_changes_nothing(client, distributor, fin, inv, amount, allocation, field):
    body = {"distributor": distributor.pk, "amount": amount, "method": "cash"}
    if allocation:
        body["allocations"] = [{"invoice": inv.pk, "amount": allocation}]
    entries = JournalEntry.objects.count()
    response = post(client, "/api/v1/payments/", fin, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"] and error["message"]
    assert JournalEntry.objects.count() == entries and Payment.objects.count() == 0


def test_payment_for_another_distributors_invoice_is_400(client, distributor, other_distributor, fin):
    theirs = invoice(other_distributor, ("10.00", 1), actor=fin)
    body = {"distributor": distributor.pk, "amount": "10.00", "method": "cash",
            "allocations": [{"invoice": theirs.pk, "amount": "10.00"}]}
    response = post(client, "/api/v1/payments/", fin, body)
    assert response.status_code == 400 and "allocations.0.invoice" in response.json()["error"]["fields"]
    assert Payment.objects.count() == 0


def test_distributors_and_channel_managers_cannot_record_payments(client, distributor, dist_admin, channel_manager):
    body = {"distributor": distributor.pk, "amount": "10.00", "method": "cash"}
    assert post(client, "/api/v1/payments/", dist_admin, body).status_code == 403
    assert post(client, "/api/v1/payments/", channel_manager, body).status_code == 403
    assert Payment.objects.count() == 0


def test_journal_lines_and_credit_notes(client, distributor, dist_admin, fin, inv):
    lines = get(client, f"/api/v1/journal/?distributor={distributor.pk}", fin).json()["results"]
    assert {(r["account"], r["debit"], r["credit"]) for r in lines} == {
        ("receivable", "200.00", "0.00"), ("revenue", "0.00", "176.99"), ("vat_output", "0.00", "23.01")}
    assert set(lines[0]) >= {"entry", "account", "distributor", "debit", "credit", "posted_at"}
    assert lines[0]["entry"] == inv.entry.number
    credit_notes.create_credit_note(distributor_id=distributor.pk, kind="price_adjustment", amount="20", reason="调价",
                                    invoice_id=inv.pk, actor=fin)
    notes = get(client, "/api/v1/credit-notes/", dist_admin).json()["results"]
    assert notes[0]["total_amount"] == "20.00" and notes[0]["invoice_number"] == inv.number
