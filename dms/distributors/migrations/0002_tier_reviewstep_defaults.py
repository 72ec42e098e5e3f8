from django.db import migrations


def seed(apps, schema_editor):
    Tier = apps.get_model("distributors", "Tier")
    ReviewStep = apps.get_model("distributors", "ReviewStep")
    Tier.objects.get_or_create(level=1, defaults={"name": "一级经销商", "review_interval_months": 12})
    Tier.objects.get_or_create(level=2, defaults={"name": "二级分销商", "review_interval_months": 12})
    steps = [
        ("onboarding", 1, "渠道经理审核", "distributors.review_distributor"),
        ("onboarding", 2, "销售总监审批", "distributors.final_review_distributor"),
        ("periodic", 1, "渠道经理复审", "distributors.review_distributor"),
    ]
    for kind, position, name, permission in steps:
        ReviewStep.objects.get_or_create(
            kind=kind, position=position, defaults={"name": name, "permission": permission}
        )


class Migration(migrations.Migration):
    dependencies = [("distributors", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
