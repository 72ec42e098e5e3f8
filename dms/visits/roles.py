"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Channel managers plan and record the visits of their own distributors (their scope);
administrators and sales operations see every manager's. Distributor users read their
completed visits and close the actions assigned to their company.
"""

_STAFF = ["visits.view_visit", "visits.add_visit", "visits.change_visit", "visits.view_visitaction",
          "visits.change_visitaction"]

PERMISSIONS: dict[str, list[str]] = {
    "admin": [*_STAFF, "visits.view_visitfrequency", "visits.change_visitfrequency"],
    "channel_manager": _STAFF,
    "sales_ops": _STAFF,
    "distributor_admin": ["visits.view_visit", "visits.change_visitaction"],
    "distributor_staff": ["visits.view_visit", "visits.change_visitaction"],
}
