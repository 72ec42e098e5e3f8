from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributorsConfig(AppConfig):
    name = "dms.distributors"
    label = "distributors"
    verbose_name = _("Distributors")

    def ready(self):
        from . import reminders  # noqa: F401
