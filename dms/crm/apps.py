from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "dms.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self):
        from . import jobs  # noqa: F401
