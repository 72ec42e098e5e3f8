"""Three common carriers with their tracking pages ({number} is the tracking number)."""

from django.db import migrations

CARRIERS = [
    ("SF", "顺丰速运", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"),
    ("JD", "京东物流", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
    ("DEPPON", "德邦物流", "https://www.deppon.com/gwapi/trackingWeb/track?trackNo={number}"),
]


def seed(apps, schema_editor):
    Carrier = apps.get_model("logistics", "Carrier")
    for code, name, url in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url": url})


class Migration(migrations.Migration):
    dependencies = [("logistics", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
