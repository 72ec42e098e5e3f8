"""Credit as orders see it: taking it at approval, holding what exceeds it, giving it back,
and paying orders from prepayment and rebate."""

from decimal import Decimal

import pytest

from dms.audit.models import AuditLog
from dms.core.errors import NotAllowed, ValidationFailed
from dms.core.testing.factories import ProductFactory, stock
from dms.finance import credit, ledger
from dms.finance.models import Account, CreditLimitChange, DistributorAccount, JournalEntry, OrderPayment
from dms.inventory.models import StockLevel
from dms.inventory.services import InsufficientStock
from dms.orders import services
from dms.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def oil(db):
    product = ProductFactory(base_price=Decimal("100.00"))
    stock(product, 50)
    return product


@pytest.fixture
def finance_user(make_staff):
    return make_staff("finance", username="fin1")


def account(distributor) -> DistributorAccount:
    return DistributorAccount.objects.get(distributor=distributor)


def limit(distributor, amount):
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=Decimal(amount))


def order(distributor, product, quantity, **kwargs):
    created = services.create_order(distributor=distributor, lines=[{"product": product.pk, "quantity": quantity}],
                                    submit=True, **kwargs)
    created.refresh_from_db()
    return created


def fund(distributor, account_code, amount):
    """Give the distributor prepayment (a payment received in advance) or rebate (granted)."""
    source = Account.BANK if account_code == Account.PREPAYMENT else Account.REBATE_EXPENSE
    ledger.post(kind=JournalEntry.Kind.PAYMENT, distributor_id=distributor.pk,
                lines=[ledger.debit(source, Decimal(amount)), ledger.credit(account_code, Decimal(amount))])


def reserved(product) -> int:
    return StockLevel.objects.get(product=product).reserved


def test_every_distributor_has_an_account_with_the_default_limit(distributor, settings):
    assert account(distributor).credit_limit == Decimal(settings.FINANCE_DEFAULT_CREDIT_LIMIT)


def test_an_approved_order_takes_credit(distributor, oil):
    limit(distributor, "1000.00")
    placed = order(distributor, oil, 3)
    assert placed.status == S.APPROVED
    acc = account(distributor)
    assert acc.open_orders == Decimal("300.00") and acc.available_credit == Decimal("700.00")
    assert OrderPayment.objects.get(order=placed).credit_amount == Decimal("300.00")


def test_an_order_over_the_available_credit_is_held_and_reserves_nothing(distributor, oil):
    limit(distributor, "500.00")
    order(distributor, oil, 3)  # takes 300 of 500
    held = order(distributor, oil, 3)  # 300 > 200 left
    assert held.status == S.CREDIT_HOLD
    assert reserved(oil) == 3  # only the first order's
    assert account(distributor).open_orders == Decimal("300.00")
    assert held.events.filter(kind=OrderEvent.Kind.STATUS, to_status=S.CREDIT_HOLD).exists()


def test_a_distributor_on_hold_has_every_order_held(distributor, oil, finance_user):
    credit.set_hold(distributor_id=distributor.pk, on_hold=True, reason="逾期", actor=finance_user)
    assert order(distributor, oil, 1).status == S.CREDIT_HOLD
    assert reserved(oil) == 0


def approve_fully(order_id, actor) -> Order:
    current = Order.objects.get(pk=order_id)
    while current.status == S.SUBMITTED:
        current = services.approve_order(order_id=order_id, actor=actor)
    current.refresh_from_db()
    return current


def test_review_takes_the_credit_at_the_last_step_or_holds(distributor, oil, admin_user, settings):
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("0.00")
    limit(distributor, "1000.00")
    first, second = order(distributor, oil, 4), order(distributor, oil, 5)
    assert first.status == second.status == S.SUBMITTED
    assert account(distributor).open_orders == 0  # orders in review take no credit yet
    assert reserved(oil) == 9
    assert approve_fully(first.pk, admin_user).status == S.APPROVED
    assert account(distributor).open_orders == Decimal("400.00")
    limit(distributor, "700.00")  # 300 left for a 500 order
    assert approve_fully(second.pk, admin_user).status == S.CREDIT_HOLD
    assert reserved(oil) == 4  # the held order gave its stock back
    assert account(distributor).open_orders == Decimal("400.00")


def test_finance_releases_a_hold_if_stock_allows(distributor, oil, finance_user, channel_manager):
    limit(distributor, "100.00")
    held = order(distributor, oil, 3)
    with pytest.raises(NotAllowed):
        services.release_credit_hold(order_id=held.pk, actor=channel_manager)
    released = services.release_credit_hold(order_id=held.pk, actor=finance_user, note="老客户，已电话确认回款")
    assert released.status == S.APPROVED and reserved(oil) == 3
    assert account(distributor).open_orders == Decimal("300.00")  # over the limit, by finance's decision
    assert AuditLog.objects.filter(object_id=str(held.pk), action=AuditLog.Action.TRANSITION).exists()


def test_releasing_a_hold_without_stock_changes_nothing(distributor, oil, finance_user):
    limit(distributor, "100.00")
    held = order(distributor, oil, 40)
    StockLevel.objects.filter(product=oil).update(on_hand=10)
    with pytest.raises(InsufficientStock):
        services.release_credit_hold(order_id=held.pk, actor=finance_user)
    held.refresh_from_db()
    assert held.status == S.CREDIT_HOLD and account(distributor).open_orders == 0


def test_finance_rejects_a_hold_and_others_may_not(distributor, oil, finance_user, channel_manager):
    limit(distributor, "100.00")
    held = order(distributor, oil, 3)
    with pytest.raises(NotAllowed):
        services.reject_order(order_id=held.pk, actor=channel_manager, reason="no")
    services.reject_order(order_id=held.pk, actor=finance_user, reason="信用额度不足")
    held.refresh_from_db()
    assert held.status == S.REJECTED and account(distributor).open_orders == 0


def test_cancelling_an_approved_order_gives_its_credit_back(distributor, oil, admin_user):
    placed = order(distributor, oil, 3)
    services.cancel_order(order_id=placed.pk, actor=admin_user, reason="客户取消")
    assert account(distributor).open_orders == 0
    assert OrderPayment.objects.get(order=placed).status == OrderPayment.Status.RELEASED


def test_an_edited_held_order_is_checked_again(distributor, oil, dist_admin):
    limit(distributor, "250.00")
    held = order(distributor, oil, 3, actor=dist_admin)
    assert held.status == S.CREDIT_HOLD
    services.update_order_lines(order_id=held.pk, lines=[{"product": oil.pk, "quantity": 2}], actor=dist_admin)
    held.refresh_from_db()
    assert held.status == S.APPROVED and account(distributor).open_orders == Decimal("200.00")


def test_invoicing_gives_back_no_more_credit_than_the_order_took(distributor, oil):
    placed = order(distributor, oil, 3)
    assert credit.order_invoiced(order_id=placed.pk, amount=Decimal("200.00")) == Decimal("200.00")
    assert credit.order_invoiced(order_id=placed.pk, amount=Decimal("200.00")) == Decimal("100.00")
    assert account(distributor).open_orders == 0


# --- prepayment and rebate ------------------------------------------------------------

def test_an_order_paid_from_prepayment_at_approval(distributor, oil):
    fund(distributor, Account.PREPAYMENT, "1000.00")
    placed = order(distributor, oil, 3, use_prepayment=True)
    acc = account(distributor)
    assert placed.status == S.APPROVED
    assert (acc.prepayment, acc.deposit, acc.open_orders) == (Decimal("700.00"), Decimal("300.00"), 0)
    services.cancel_order(order_id=placed.pk, actor=None, reason="重复下单")
    acc = account(distributor)
    assert (acc.prepayment, acc.deposit) == (Decimal("1000.00"), 0)
    assert ledger.journal_balances(distributor.pk)["prepayment"] == Decimal("1000.00")


def test_prepayment_reserved_at_submission_when_deducted_at_shipment(distributor, oil, settings):
    settings.FINANCE_PREPAYMENT_DEDUCT_AT = "shipment"
    fund(distributor, Account.PREPAYMENT, "1000.00")
    placed = order(distributor, oil, 3, use_prepayment=True)
    acc = account(distributor)
    assert (acc.prepayment, acc.prepayment_reserved, acc.deposit) == (Decimal("1000.00"), Decimal("300.00"), 0)
    services.cancel_order(order_id=placed.pk, actor=None)
    assert account(distributor).prepayment_reserved == 0


def test_rebate_pays_at_most_its_share(distributor, oil, settings):
    settings.FINANCE_REBATE_MAX_SHARE = "0.20"
    fund(distributor, Account.REBATE, "100.00")
    order(distributor, oil, 3, use_rebate=True)  # 20 % of 300 = 60
    acc = account(distributor)
    assert (acc.rebate, acc.deposit, acc.open_orders) == (Decimal("40.00"), Decimal("60.00"), Decimal("240.00"))


def test_a_prepayment_only_distributor_orders_only_what_its_balance_covers(distributor, oil, finance_user):
    credit.set_prepayment_only(distributor_id=distributor.pk, prepayment_only=True, actor=finance_user)
    fund(distributor, Account.PREPAYMENT, "250.00")
    with pytest.raises(credit.InsufficientPrepayment):
        order(distributor, oil, 3)
    assert not Order.objects.exists() and reserved(oil) == 0
    placed = order(distributor, oil, 2)
    assert placed.status == S.APPROVED
    acc = account(distributor)
    assert (acc.prepayment, acc.deposit, acc.open_orders) == (Decimal("50.00"), Decimal("200.00"), 0)


# --- limits ------------------------------------------------------------------------------

def test_finance_changes_a_limit_with_history_and_audit(distributor, finance_user):
    credit.set_credit_limit(distributor_id=distributor.pk, credit_limit="80000.50", actor=finance_user,
                            reason="年度评审")
    change = CreditLimitChange.objects.get(distributor=distributor)
    assert change.new_limit == Decimal("80000.50") and change.changed_by == finance_user
    assert account(distributor).credit_limit == Decimal("80000.50")
    assert AuditLog.objects.filter(distributor_id=distributor.pk, message__contains="80000.50").exists()


@pytest.mark.parametrize("bad", ["abc", "-5", "1.234", "", None, "NaN"])
def test_a_bad_limit_is_refused_and_changes_nothing(distributor, finance_user, bad):
    before = account(distributor).credit_limit
    with pytest.raises(ValidationFailed):
        credit.set_credit_limit(distributor_id=distributor.pk, credit_limit=bad, actor=finance_user)
    assert account(distributor).credit_limit == before and not CreditLimitChange.objects.exists()


def test_only_finance_changes_limits(distributor, channel_manager):
    with pytest.raises(NotAllowed):
        credit.set_credit_limit(distributor_id=distributor.pk, credit_limit="1", actor=channel_manager)
