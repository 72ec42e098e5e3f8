from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "dms.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from django.db.models.signals import post_save

        from dms.distributors.models import Distributor

        from .ledger import ensure_account

        def open_account(sender, instance, created, raw=False, **kwargs):
            if created and not raw:
                ensure_account(instance)

        post_save.connect(open_account, sender=Distributor, dispatch_uid="finance_open_account", weak=False)
        from . import jobs  # noqa: F401 - registers the nightly jobs
