from django.db import migrations

from dms.accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Creates the role groups with the permissions of dms/accounts/roles.py."""

    dependencies = [
        ("accounts", "0002_initial"),
        ("distributors", "0002_tier_reviewstep_defaults"),
        ("audit", "0001_initial"),
        ("notifications", "0002_reminderrule_defaults"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
