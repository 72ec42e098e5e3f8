"""Prove the stock caches equal the ledger: for every warehouse and product,
on hand = Σ on_hand_delta and reserved = Σ reserved_delta of its stock moves.

Exits 0 when they all match, else lists each difference and exits 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from dms.inventory.selectors import ledger_differences


class Command(BaseCommand):
    help = "Check that every stock level equals the sum of its stock moves (exit 1 listing differences)."

    def handle(self, *args, **options):
        with scopes_disabled():
            checked, differences = ledger_differences()
        if not differences:
            self.stdout.write(self.style.SUCCESS(f"OK: {checked} stock levels match the ledger."))
            return
        self.stderr.write(f"{len(differences)} of {checked} stock levels differ from the ledger:")
        self.stderr.write("warehouse\tsku\ton_hand\tledger\treserved\tledger")
        for d in differences:
            self.stderr.write(f"{d['warehouse']}\t{d['sku']}\t{d['on_hand']}\t{d['ledger_on_hand']}\t"
                              f"{d['reserved']}\t{d['ledger_reserved']}")
        raise CommandError(f"{len(differences)} stock levels differ from the ledger.", returncode=1)
