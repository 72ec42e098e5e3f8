from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "dms.visits"
    label = "visits"
    verbose_name = _("Visits")

    def ready(self):
        from . import reminders  # noqa: F401 - registers the daily job
