from django.db import migrations

STEPS = [
    ("order_review", "订单审核", "sales_ops", 1, True),
    ("finance_review", "财务审核", "finance", 2, True),
    ("warehouse_review", "仓库审核", "warehouse", 3, False),
]


def seed(apps, schema_editor):
    ApprovalStep = apps.get_model("orders", "ApprovalStep")
    for code, name, role, position, enabled in STEPS:
        ApprovalStep.objects.get_or_create(code=code, defaults={
            "name": name, "role": role, "position": position, "enabled": enabled})


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
