from django.db import migrations

TAGS = [("forwarded_to_product", "转产品部门", 10), ("price_review", "价格复核", 20),
        ("marketing_support", "市场支持跟进", 30), ("no_action", "无需处理", 40)]


def add_tags(apps, schema_editor):
    ActionTag = apps.get_model("marketing", "ActionTag")
    for code, name, position in TAGS:
        ActionTag.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
