from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "dms.service"
    label = "service"
    verbose_name = _("After-sales service")

    def ready(self):
        from . import jobs  # noqa: F401 - registers the SLA watcher
