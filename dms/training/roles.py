"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Brand staff who run training (administrators, sales operations) edit courses; channel
managers follow their distributors' records and mark attendance at sessions. Distributor
users take the published courses open to their tier.
"""

_READ = ["training.view_course", "training.view_completion", "training.view_training_report"]
_EDIT = ["training.add_course", "training.change_course", "training.delete_course", "training.mark_attendance",
         "training.change_completion"]

PERMISSIONS: dict[str, list[str]] = {
    "admin": _READ + _EDIT,
    "sales_ops": _READ + _EDIT,
    "channel_manager": [*_READ, "training.mark_attendance"],
    "distributor_admin": ["training.view_course"],
    "distributor_staff": ["training.view_course"],
}
