"""Finance demo data (run by seed_demo after the orders demo): invoices, payments, credit
notes and a bank import; statements, settlements, scores and holds. Idempotent."""

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.core.context import acting_as


class Command(BaseCommand):
    help = "Load the finance demo data (idempotent)."

    def handle(self, *args, **options):
        from dms.finance import demo_ledger, demo_statements

        parts = [demo_ledger, demo_statements]
        with scopes_disabled(), acting_as(User.objects.filter(username="fin_zhao").first()):
            for part in parts:
                part.seed()
