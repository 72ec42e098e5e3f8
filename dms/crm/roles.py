"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

``crm.view_customer`` opens the aggregate page; ``crm.view_customer_detail`` the individual
customers (read-only for staff). An administrator may grant the latter to another role's
group in the Django admin — but ``sync_roles`` resets the groups to this table after every
``migrate``, so a lasting grant belongs here.
"""

_PORTAL = [
    "crm.view_customer", "crm.add_customer", "crm.change_customer",
    "crm.view_followup", "crm.add_followup", "crm.view_customerneed", "crm.add_customerneed",
    "crm.change_customerneed",
]

PERMISSIONS: dict[str, list[str]] = {
    "admin": ["crm.view_customer", "crm.view_customer_detail"],
    "channel_manager": ["crm.view_customer", "crm.view_customer_detail"],
    "sales_ops": ["crm.view_customer"],
    "finance": ["crm.view_customer"],
    "distributor_admin": _PORTAL,
    "distributor_staff": _PORTAL,
}
