from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    name = "dms.comms"
    label = "comms"
    verbose_name = _("Communication")

    def ready(self):
        from . import jobs  # noqa: F401
