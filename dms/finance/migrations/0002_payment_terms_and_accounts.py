from decimal import Decimal

from django.conf import settings
from django.db import migrations

TERMS = [
    ("prepaid", "款到发货", 0, False),
    ("net30", "票到30天", 30, False),
    ("net60", "票到60天", 60, False),
    ("month_end_30", "月结30天", 30, True),
]


def forwards(apps, schema_editor):
    PaymentTerms = apps.get_model("finance", "PaymentTerms")
    Distributor = apps.get_model("distributors", "Distributor")
    DistributorAccount = apps.get_model("finance", "DistributorAccount")
    for code, name, days, month_end in TERMS:
        PaymentTerms.objects.get_or_create(code=code, defaults={"name": name, "days": days,
                                                                "from_month_end": month_end})
    net30 = PaymentTerms.objects.get(code="net30")
    limit = Decimal(settings.FINANCE_DEFAULT_CREDIT_LIMIT)
    have = set(DistributorAccount.objects.values_list("distributor_id", flat=True))
    DistributorAccount.objects.bulk_create([
        DistributorAccount(distributor_id=pk, credit_limit=limit, payment_terms=net30)
        for pk in Distributor.objects.values_list("pk", flat=True) if pk not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial"), ("distributors", "0004_document_field_labels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
