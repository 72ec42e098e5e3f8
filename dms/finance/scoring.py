"""The nightly credit rules: the credit score (0-100) with its factors and suggested limit,
the cooperation rules by score, and the automatic hold for overdue invoices.

Score = the sum of six factors' points (maximum 100):

* punctuality (30): share of invoice amounts due in the last 12 months that were paid
  (allocated) by their due date; none due yet counts 24 (a new distributor starts at 65,
  above the prepayment rule);
* overdue (25): 25 − weighted days overdue ÷ 3 (open amount-weighted average over open
  invoices past due) − 5 when the oldest is more than 60 days overdue, at least 0;
* volume (15): approved orders of the last 90 days: ≥ 500 000 → 15, ≥ 200 000 → 12,
  ≥ 50 000 → 8, > 0 → 4, none → 0;
* trend (10): the last 90 days against the 90 before: ≥ +10 % → 10, ≥ −10 % → 7,
  ≥ −50 % → 3, less → 0; new business after none → 10, none in both → 5;
* tenure (10): months since the first contract started (else since registration):
  ≥ 36 → 10, ≥ 24 → 8, ≥ 12 → 6, ≥ 6 → 3, less → 1;
* qualification (10): 10 unless the distributor is flagged or a current qualification
  has expired.

Suggested limit = 90-day order volume × the band factor (score ≥ 85: 1.5, ≥ 70: 1.0,
≥ 60: 0.5, below: 0), rounded down to a thousand.

Rules (settings with defaults): score below FINANCE_SCORE_PREPAY_BELOW (60) sets
prepayment_only (source "score"), lifted again when the score recovers — only when the
rule set it; crossing above FINANCE_SCORE_RAISE_ABOVE (85) with a suggested limit above
the current one tells finance once. Overdue hold: an open invoice more than
FINANCE_OVERDUE_HOLD_DAYS past due puts the distributor on hold (source "overdue"),
lifted when nothing is overdue beyond the limit — only holds the job set.
"""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.accounts.models import User
from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.scoping import scopes_disabled
from dms.notifications.models import Category
from dms.notifications.services import notify

from .ledger import lock_account, to_money
from .models import ZERO, Allocation, CreditScore, DistributorAccount, Invoice

OPEN = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
SCORE_RULE, OVERDUE_RULE = "score", "overdue"

FACTOR_LABELS = {
    "punctuality": gettext_lazy("Payment punctuality"),
    "overdue": gettext_lazy("Days overdue now"),
    "volume": gettext_lazy("Order volume (90 days)"),
    "trend": gettext_lazy("Order trend"),
    "tenure": gettext_lazy("Tenure"),
    "qualification": gettext_lazy("Qualifications"),
}
VOLUME_BANDS = ((Decimal(500000), 15), (Decimal(200000), 12), (Decimal(50000), 8), (Decimal("0.01"), 4))
TENURE_BANDS = ((36, 10), (24, 8), (12, 6), (6, 3), (0, 1))
LIMIT_FACTORS = ((85, Decimal("1.5")), (70, Decimal("1.0")), (60, Decimal("0.5")))


def prepay_below() -> int:
    return int(getattr(settings, "FINANCE_SCORE_PREPAY_BELOW", 60))


def raise_above() -> int:
    return int(getattr(settings, "FINANCE_SCORE_RAISE_ABOVE", 85))


def hold_days() -> int:
    return int(getattr(settings, "FINANCE_OVERDUE_HOLD_DAYS", 30))


def _factor(code: str, value: str, points: int, maximum: int) -> dict:
    return {"code": code, "label": code, "value": value, "points": max(0, min(points, maximum)), "max": maximum}


def _invoices(distributor_id: int):
    return Invoice.objects.filter(distributor_id=distributor_id).exclude(status=Invoice.Status.CANCELLED)


def punctuality(distributor_id: int, today: dt.date) -> dict:
    due = list(_invoices(distributor_id).filter(due_date__lte=today, due_date__gt=today - dt.timedelta(days=365))
               .values("pk", "total_amount", "due_date"))
    if not due:
        return _factor("punctuality", _("no invoice due in the last 12 months"), 24, 30)
    due_dates = {row["pk"]: row["due_date"] for row in due}
    on_time = {pk: ZERO for pk in due_dates}
    for alloc in Allocation.objects.filter(invoice_id__in=due_dates, reversed=False).values(
            "invoice_id", "amount", "created_at"):
        if timezone.localdate(alloc["created_at"]) <= due_dates[alloc["invoice_id"]]:
            on_time[alloc["invoice_id"]] += alloc["amount"]
    total = sum((row["total_amount"] for row in due), ZERO)
    paid = sum((min(on_time[row["pk"]], row["total_amount"]) for row in due), ZERO)
    share = paid / total if total else Decimal(1)
    return _factor("punctuality", _("%(pct)s%% paid by the due date") % {"pct": round(share * 100)},
                   int((share * 30).to_integral_value()), 30)


def overdue(distributor_id: int, today: dt.date) -> tuple[dict, int]:
    """The factor, and the most days any open invoice is overdue."""
    rows = [(row["total_amount"] - row["paid_amount"], (today - row["due_date"]).days)
            for row in _invoices(distributor_id).filter(status__in=OPEN, due_date__lt=today)
            .values("total_amount", "paid_amount", "due_date")]
    rows = [(amount, days) for amount, days in rows if amount > 0]
    if not rows:
        return _factor("overdue", _("nothing overdue"), 25, 25), 0
    total = sum((amount for amount, _days in rows), ZERO)
    weighted = int(sum((amount * days for amount, days in rows), ZERO) / total) if total else 0
    worst = max(days for _amount, days in rows)
    points = 25 - weighted // 3 - (5 if worst > 60 else 0)
    return _factor("overdue", _("%(amount)s overdue, up to %(max)d days (weighted %(avg)d days)") % {
        "amount": to_money(total), "max": worst, "avg": weighted}, points, 25), worst


def order_volume(distributor_id: int, since: dt.date, until: dt.date) -> Decimal:
    from dms.orders.models import Order

    counted = [Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED, Order.Status.SHIPPED, Order.Status.COMPLETED]
    total = (Order.objects.filter(distributor_id=distributor_id, status__in=counted,
                                  submitted_at__date__gte=since, submitted_at__date__lt=until)
             .aggregate(s=Sum("total_amount"))["s"])
    return to_money(total or 0)


def volume_and_trend(distributor_id: int, today: dt.date) -> tuple[list[dict], Decimal]:
    recent = order_volume(distributor_id, today - dt.timedelta(days=90), today + dt.timedelta(days=1))
    before = order_volume(distributor_id, today - dt.timedelta(days=180), today - dt.timedelta(days=90))
    points = next((p for floor, p in VOLUME_BANDS if recent >= floor), 0)
    volume = _factor("volume", _("%(amount)s ordered") % {"amount": recent}, points, 15)
    if not before:
        trend = _factor("trend", _("new orders after none") if recent else _("no orders in 6 months"),
                        10 if recent else 5, 10)
    else:
        change = (recent - before) / before
        points = 10 if change >= Decimal("0.1") else 7 if change >= Decimal("-0.1") else 3 if change >= Decimal(
            "-0.5") else 0
        trend = _factor("trend", _("%(pct)+d%% against the 90 days before") % {"pct": round(change * 100)},
                        points, 10)
    return [volume, trend], recent


def tenure(distributor, today: dt.date) -> dict:
    from dms.distributors.models import Contract

    first = (Contract.objects.filter(distributor=distributor, start_date__isnull=False)
             .order_by("start_date").values_list("start_date", flat=True).first())
    since = first or timezone.localdate(distributor.created_at)
    months = max(0, (today.year - since.year) * 12 + today.month - since.month)
    points = next(p for floor, p in TENURE_BANDS if months >= floor)
    return _factor("tenure", _("%(n)d months") % {"n": months}, points, 10)


def qualification(distributor, today: dt.date) -> dict:
    from dms.distributors.services import current_qualifications_all

    expired = current_qualifications_all().filter(distributor=distributor, valid_to__lt=today).exists()
    if distributor.qualification_flag or expired:
        return _factor("qualification", _("a qualification has expired"), 0, 10)
    return _factor("qualification", _("in order"), 10, 10)


def suggested_limit(score: int, volume: Decimal) -> Decimal:
    factor = next((f for floor, f in LIMIT_FACTORS if score >= floor), Decimal(0))
    return ((volume * factor) / 1000).to_integral_value(rounding=ROUND_DOWN) * 1000


def compute_score(distributor, today: dt.date) -> tuple[int, list[dict], Decimal]:
    """(score, factors, suggested limit) for ``distributor`` as of ``today``."""
    overdue_factor, _worst = overdue(distributor.pk, today)
    volume_factors, volume = volume_and_trend(distributor.pk, today)
    factors = [punctuality(distributor.pk, today), overdue_factor, *volume_factors, tenure(distributor, today),
               qualification(distributor, today)]
    score = sum(f["points"] for f in factors)
    return score, factors, to_money(suggested_limit(score, volume))


def factor_rows(factors: list[dict]) -> list[dict]:
    """Factors with their label in the reader's language (stored as codes)."""
    return [{**f, "label": FACTOR_LABELS.get(f["code"], f["code"])} for f in factors]


# --- the jobs --------------------------------------------------------------------------


def _cm_and_finance(distributor) -> list:
    from .statements import finance_users

    users = list(finance_users())
    if distributor.channel_manager_id:
        users.append(distributor.channel_manager)
    return users


@transaction.atomic
def score_distributor(*, distributor, today: dt.date) -> CreditScore:
    """Store today's score and apply the rules under the account's lock."""
    score, factors, limit = compute_score(distributor, today)
    previous = CreditScore.objects.filter(distributor=distributor).order_by("-computed_at", "-id").first()
    account = lock_account(distributor.pk)
    result = CreditScore.objects.create(distributor=distributor, score=score, factors=factors,
                                        suggested_limit=limit)
    account.score, account.score_updated_at = score, result.computed_at
    fields = ["score", "score_updated_at"]
    if score < prepay_below() and not account.prepayment_only:
        account.prepayment_only, account.prepayment_only_source = True, SCORE_RULE
        fields += ["prepayment_only", "prepayment_only_source"]
        _audit(account, "prepayment_only", False, True,
               _("Prepayment only: credit score %(score)d is below %(min)d") % {"score": score, "min": prepay_below()})
        transaction.on_commit(lambda: _tell_prepayment(distributor.pk, score, True))
    elif score >= prepay_below() and account.prepayment_only and account.prepayment_only_source == SCORE_RULE:
        account.prepayment_only, account.prepayment_only_source = False, ""
        fields += ["prepayment_only", "prepayment_only_source"]
        _audit(account, "prepayment_only", True, False,
               _("Credit restored: credit score %(score)d recovered") % {"score": score})
        transaction.on_commit(lambda: _tell_prepayment(distributor.pk, score, False))
    account.save(update_fields=fields)
    crossed = previous is None or previous.score <= raise_above()
    if score > raise_above() and crossed and limit > account.credit_limit:
        transaction.on_commit(lambda: _tell_raise(result.pk))
    return result


def _audit(account, field, old, new, message) -> None:
    record(action=AuditLog.Action.UPDATE, instance=account, distributor_id=account.distributor_id,
           changes={field: [old, new]}, message=message)


def _tell_prepayment(distributor_id: int, score: int, required: bool) -> None:
    from dms.distributors.models import Distributor

    with scopes_disabled():
        d = Distributor.objects.select_related("channel_manager").get(pk=distributor_id)
        title = (_("%(name)s: prepayment required (credit score %(score)d)") if required
                 else _("%(name)s: credit restored (credit score %(score)d)")) % {"name": d.name, "score": score}
        notify(_cm_and_finance(d), category=Category.FINANCE, title=title,
               url=reverse("finance:exposure") + f"?distributor={d.pk}")


def _tell_raise(score_id: int) -> None:
    from .statements import finance_users

    with scopes_disabled():
        s = CreditScore.objects.select_related("distributor__finance_account").get(pk=score_id)
        notify(finance_users(), category=Category.FINANCE,
               title=_("%(name)s: credit limit raise suggested") % {"name": s.distributor.name},
               body=_("Credit score %(score)d; suggested limit %(limit)s (now %(now)s).") % {
                   "score": s.score, "limit": s.suggested_limit, "now": s.distributor.finance_account.credit_limit},
               url=reverse("finance:exposure") + f"?distributor={s.distributor_id}")


def score_all(today: dt.date) -> int:
    """The nightly job: score every active distributor not scored today yet."""
    from dms.distributors.models import Distributor

    count = 0
    with scopes_disabled():
        done = set(CreditScore.objects.filter(computed_at__gte=_day_start(today))
                   .values_list("distributor_id", flat=True))
        for distributor in (Distributor.objects.filter(status=Distributor.Status.ACTIVE).exclude(pk__in=done)
                            .select_related("channel_manager").order_by("pk")):
            score_distributor(distributor=distributor, today=today)
            count += 1
    return count


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_distributors(today: dt.date) -> set[int]:
    """Distributors with an open invoice more than the hold limit past due."""
    cutoff = today - dt.timedelta(days=hold_days())
    return set(Invoice.objects.filter(status__in=OPEN, due_date__lt=cutoff).values_list("distributor_id", flat=True))


def apply_overdue_holds(today: dt.date) -> int:
    """The nightly job: hold distributors with invoices overdue past the limit, lift the
    holds it set once nothing is. Returns how many accounts changed."""
    with scopes_disabled(), transaction.atomic():
        overdue_ids = overdue_distributors(today)
        candidates = (DistributorAccount.objects.select_for_update().select_related("distributor")
                      .filter(Q(distributor_id__in=overdue_ids, on_hold=False)
                              | Q(on_hold=True, hold_source=OVERDUE_RULE)).order_by("id"))
        changed = 0
        for account in candidates:
            if account.distributor_id in overdue_ids and not account.on_hold:
                _set_hold(account, today)
            elif account.distributor_id not in overdue_ids and account.hold_source == OVERDUE_RULE:
                _lift_hold(account)
            else:
                continue
            changed += 1
    return changed


def _set_hold(account: DistributorAccount, today: dt.date) -> None:
    reason = _("Invoices overdue by more than %(days)d days") % {"days": hold_days()}
    account.on_hold, account.hold_source, account.hold_reason = True, OVERDUE_RULE, reason
    account.hold_since = timezone.now()
    account.save(update_fields=["on_hold", "hold_source", "hold_reason", "hold_since", "updated_at"])
    _audit(account, "on_hold", False, True, reason)
    transaction.on_commit(lambda: _tell_hold(account.distributor_id, True))


def _lift_hold(account: DistributorAccount) -> None:
    account.on_hold, account.hold_source, account.hold_reason, account.hold_since = False, "", "", None
    account.save(update_fields=["on_hold", "hold_source", "hold_reason", "hold_since", "updated_at"])
    _audit(account, "on_hold", True, False, _("Overdue hold lifted: nothing is overdue beyond the limit"))
    transaction.on_commit(lambda: _tell_hold(account.distributor_id, False))


def _tell_hold(distributor_id: int, held: bool) -> None:
    from dms.distributors.models import Distributor

    with scopes_disabled():
        d = Distributor.objects.select_related("channel_manager").get(pk=distributor_id)
        if held:
            title = _("%(name)s is on credit hold: invoices overdue by more than %(days)d days") % {
                "name": d.name, "days": hold_days()}
            portal_title = _("Your account is on hold: please pay the overdue invoices")
        else:
            title = _("%(name)s: overdue hold lifted") % {"name": d.name}
            portal_title = _("Your account is no longer on hold")
        notify(_cm_and_finance(d), category=Category.FINANCE, title=title,
               url=reverse("finance:exposure") + f"?distributor={d.pk}")
        notify(User.objects.filter(distributor_id=d.pk, is_active=True), category=Category.FINANCE,
               title=portal_title, url=reverse("finance_portal:statements"))
