"""Read-side rules shared by pages, the dashboard and exports."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import Contract, Qualification
from .services import current_qualifications_all

QUALIFICATION_EXPIRING_DAYS = 30
CONTRACT_EXPIRING_DAYS = 60


def qualification_quick_q(name: str, today: dt.date | None = None) -> Q | None:
    """The quick filters of the qualification list (also counted on the dashboard).

    "Expiring" and "expired" look at current documents only: verified and not replaced
    by a later verified one (what the distributor's expiry flag looks at)."""
    today = today or timezone.localdate()
    current = Q(pk__in=current_qualifications_all().values("pk"))
    if name == "expiring":
        return current & Q(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=QUALIFICATION_EXPIRING_DAYS))
    if name == "expired":
        return current & Q(valid_to__lt=today)
    if name == "pending":
        return Q(verification_status=Qualification.Verification.PENDING)
    return None


def contract_quick_q(name: str, today: dt.date | None = None) -> Q | None:
    """The quick filters of the contract list (also counted on the dashboard)."""
    today = today or timezone.localdate()
    active = Contract.Status.ACTIVE
    if name == "expiring":
        return Q(status=active, end_date__gte=today, end_date__lte=today + dt.timedelta(days=CONTRACT_EXPIRING_DAYS))
    if name == "expired":
        return Q(status=Contract.Status.EXPIRED) | Q(status=active, end_date__lt=today)
    return None
