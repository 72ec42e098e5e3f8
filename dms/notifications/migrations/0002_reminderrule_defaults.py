from django.db import migrations

RULES = [
    ("合同到期前60天提醒", "contract_end", -60, "channel_manager,distributor_admin", "合同 {object} 将在 {days} 天后到期（{date}）"),
    ("合同到期前30天提醒", "contract_end", -30, "channel_manager,distributor_admin", "合同 {object} 将在 {days} 天后到期（{date}）"),
    ("合同到期前7天提醒", "contract_end", -7, "channel_manager,distributor_admin", "合同 {object} 将在 {days} 天后到期（{date}）"),
    ("资质到期前30天提醒", "qualification_valid_to", -30, "channel_manager,distributor_users", "资质 {object} 将在 {days} 天后到期（{date}）"),
    ("资质已过期", "qualification_valid_to", 1, "channel_manager,distributor_users", "资质 {object} 已于 {date} 过期"),
    ("审核到期前3天提醒", "review_due", -3, "channel_manager", "审核 {object} 将在 {days} 天后到期（{date}）"),
    ("审核已逾期", "review_due", 1, "channel_manager,admin", "审核 {object} 已逾期（截止 {date}）"),
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    for name, source, offset, recipients, title in RULES:
        ReminderRule.objects.get_or_create(
            source=source, offset_days=offset, defaults={"name": name, "recipients": recipients, "title": title}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
