"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Keys are role values ("admin", "channel_manager", "sales_ops", "warehouse", "finance",
"distributor_admin", "distributor_staff"); values are "app_label.codename" strings.
"""

_FEEDBACK_STAFF = ["marketing.view_feedback", "marketing.handle_feedback", "marketing.view_feedback_analysis"]
_MATERIALS_MANAGE = ["marketing.view_material", "marketing.add_material", "marketing.change_material",
                     "marketing.delete_material"]
_PORTAL = ["marketing.view_feedback", "marketing.add_feedback", "marketing.view_material"]

PERMISSIONS: dict[str, list[str]] = {
    "admin": [*_FEEDBACK_STAFF, *_MATERIALS_MANAGE],
    "sales_ops": [*_FEEDBACK_STAFF, *_MATERIALS_MANAGE],
    # a channel manager handles his distributors' feedback; the materials library is managed centrally
    "channel_manager": _FEEDBACK_STAFF,
    "distributor_admin": _PORTAL,
    "distributor_staff": _PORTAL,
}
