"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Keys are role values ("admin", "channel_manager", "sales_ops", "warehouse", "finance",
"distributor_admin", "distributor_staff"); values are "app_label.codename" strings.
"""

PERMISSIONS: dict[str, list[str]] = {}
