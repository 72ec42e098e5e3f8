"""Prove the finance caches equal the journal: for every distributor, receivable,
prepayment, rebate and deposit = the sums of its journal lines; every entry balances;
every invoice's paid amount = its live allocations.

Exits 0 when all match, else lists each difference and exits 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from dms.finance.reconcile import differences


class Command(BaseCommand):
    help = "Check that finance balances equal the journal (exit 1 listing differences)."

    def handle(self, *args, **options):
        with scopes_disabled():
            checked, problems = differences()
        if not problems:
            self.stdout.write(self.style.SUCCESS(f"OK: {checked} distributor accounts match the journal."))
            return
        self.stderr.write(f"{len(problems)} differences from the journal:")
        for problem in problems:
            self.stderr.write(problem)
        raise CommandError(f"{len(problems)} finance differences from the journal.", returncode=1)
