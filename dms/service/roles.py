"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Distributor users need no permission: the portal pages and the API let them act on their
own distributor's tickets only (scoped).
"""

_WORK = ["service.view_ticket", "service.add_ticket", "service.change_ticket"]
_LEAD = [*_WORK, "service.assign_ticket", "service.view_sla_report"]

PERMISSIONS: dict[str, list[str]] = {
    "admin": _LEAD,
    "channel_manager": _LEAD,
    "sales_ops": _LEAD,
    "warehouse": _WORK,
}
