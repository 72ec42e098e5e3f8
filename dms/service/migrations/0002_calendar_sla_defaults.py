"""Default working hours (Mon–Fri 09:00–18:00) and SLA targets per priority; both are
data, edited in the admin."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# priority -> (first response, resolution) in working hours
SLA = {"urgent": ("1", "8"), "high": ("4", "16"), "normal": ("8", "40"), "low": ("16", "80")}


def seed(apps, schema_editor):
    WorkingHours = apps.get_model("service", "WorkingHours")
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for weekday in range(5):
        WorkingHours.objects.get_or_create(weekday=weekday, defaults={"start": dt.time(9), "end": dt.time(18)})
    for priority, (first, resolution) in SLA.items():
        SlaPolicy.objects.get_or_create(priority=priority, defaults={
            "first_response_hours": Decimal(first), "resolution_hours": Decimal(resolution)})


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
