"""Finance (statements part) in the generated isolation walks (contract: dms/core/testing/isolation.py)."""

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"statements": "statement", "settlements": "settlement"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"crm:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "finance:statement": "statement",
    "finance:statement_resolve": "statement",
    "finance:statement_pdf": "statement",
    "finance:statement_xlsx": "statement",
    "finance:settlement": "settlement",
    "finance:settlement_action": "settlement",
    "finance:score": "distributor",
    "finance_portal:statement": "statement",
    "finance_portal:statement_confirm": "statement",
    "finance_portal:statement_dispute": "statement",
    "finance_portal:statement_pdf": "statement",
    "finance_portal:statement_xlsx": "statement",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    from django.utils import timezone

    from dms.finance import scoring, settlements, statements

    from .factories_statements import at, grant_rebate, invoice

    start, end = statements.previous_month(timezone.localdate())
    invoice(distributor, "777.77", issued=start, posted_at=at(start))
    grant_rebate(distributor, "500.00")
    statement = statements.generate_statement(distributor_id=distributor.pk, period_start=start, period_end=end,
                                              actor=staff)
    dispute = statements.dispute_statement(statement_id=statement.pk, actor=owner, comment="A-DISPUTE-777")
    settlement = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="100.00",
                                               description="A-SETTLEMENT-777", actor=staff)
    scoring.score_distributor(distributor=distributor, today=timezone.localdate())
    return ({"statement": statement.pk, "settlement": settlement.pk, "statement_dispute": dispute.pk},
            [statement.number, settlement.number, "A-DISPUTE-777", "A-SETTLEMENT-777"])
