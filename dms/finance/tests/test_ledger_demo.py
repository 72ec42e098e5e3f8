"""The ledger demo data: made through the services, balanced, idempotent."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, stock
from dms.finance import demo_ledger
from dms.finance.models import BankImport, BankLine, CreditNote, Invoice, Payment
from dms.finance.reconcile import differences

pytestmark = pytest.mark.django_db


def test_demo_ledger_is_balanced_and_idempotent():
    for username, role in (("admin", "admin"), ("fin_zhao", "finance"), ("wh_liu", "warehouse"),
                           ("ops_chen", "sales_ops")):
        UserFactory(username=username, roles=[role])
    manager = UserFactory(username="cm_zhang", roles=["channel_manager"])
    for i in range(3):
        portal_user(DistributorFactory(channel_manager=manager, bank_account=f"62220000{i:08d}"),
                    username=f"demo{i}")
    for i in range(8):
        stock(ProductFactory(base_price=20 + 15 * i), 400)
    call_command("seed_orders_demo", quiet=True)
    with scopes_disabled():
        demo_ledger.seed()
        counts = (Invoice.objects.count(), Payment.objects.count(), CreditNote.objects.count())
        demo_ledger.seed()
        assert (Invoice.objects.count(), Payment.objects.count(), CreditNote.objects.count()) == counts
        assert counts[0] > 3 and counts[1] > 1
        assert CreditNote.objects.filter(kind="rebate").exists()
        assert Payment.objects.filter(to_prepayment__gt=0).exists()
        assert Invoice.objects.filter(status="partially_paid").exists()
        assert BankImport.objects.count() == 1
        assert BankLine.objects.filter(status=BankLine.Status.SUGGESTED).exists()
        assert differences()[1] == []
