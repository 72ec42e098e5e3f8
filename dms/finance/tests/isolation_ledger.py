"""Finance (ledger part) in the generated isolation walks (contract: dms/core/testing/isolation.py)."""

from decimal import Decimal

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"invoices": "invoice", "payments": "payment", "credit-notes": "credit_note"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"crm:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "finance:account": "distributor",
    "finance:prepayment_allocate": "distributor",
    "finance:invoice": "invoice",
    "finance:invoice_pdf": "invoice",
    "finance:invoice_cancel": "invoice",
    "finance:payment": "payment",
    "finance:payment_reverse": "payment",
    "finance:credit_note": "credit_note",
    "finance:return_credit": "return",
    "finance:journal_reverse": "journal_entry",
    "finance_portal:invoice": "invoice",
    "finance_portal:invoice_pdf": "invoice",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
# Bank statement imports are the brand's bank account (finance only, post_journal).
PAGE_NOT_TENANT: set[str] = {"finance:bank_import", "finance:bank_line"}


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    from dms.finance import credit_notes, invoicing, payments
    from dms.logistics.models import Shipment

    from .factories import approved_order, shipped

    # The walks create the victim's shipped order first; invoice that one (they count its orders).
    shipment = Shipment.objects.filter(distributor=distributor, status=Shipment.Status.DISPATCHED).first()
    if shipment is None:
        shipment = shipped(approved_order(distributor, ("123.45", 2)))
    inv = invoicing.invoice_shipment(shipment_id=shipment.pk, actor=staff)
    payment = payments.record_payment(distributor_id=distributor.pk, amount="300.00", method="bank_transfer",
                                      reference="VPAY-SECRET-11", allocations=[(inv.pk, min(inv.total_amount, Decimal("100.00")))], actor=staff)
    note = credit_notes.create_credit_note(distributor_id=distributor.pk, kind="rebate", amount="66.60",
                                           reason="VREBATE-SECRET-22", actor=staff)
    ids = {"invoice": inv.pk, "payment": payment.pk, "credit_note": note.pk, "journal_entry": payment.entry_id}
    secrets = [inv.number, payment.number, note.number, "VPAY-SECRET-11", "VREBATE-SECRET-22", payment.entry.number]
    return ids, secrets
