from django.db import migrations


def seed(apps, schema_editor):
    """First-tier distributors are visited monthly, second-tier ones quarterly."""
    Tier = apps.get_model("distributors", "Tier")
    VisitFrequency = apps.get_model("visits", "VisitFrequency")
    for level, days in ((1, 30), (2, 90)):
        tier = Tier.objects.filter(level=level).first()
        if tier is not None:
            VisitFrequency.objects.get_or_create(tier=tier, defaults={"interval_days": days})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("distributors", "0002_tier_reviewstep_defaults")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
