"""The one place where an order's amount is checked against what the distributor may
owe. Finance (credit limits, prepayment-only distributors) plugs its rule in here; until
then every amount passes, subject to the auto-approval limit in the settings."""


def credit_allows(order, lines) -> bool:
    """True when the order may be approved as far as money is concerned. Called inside the
    approving transaction, after the order row exists (so a row lock may be taken)."""
    return True
