"""Permissions this app gives each role; merged into accounts.roles.ROLE_PERMISSIONS.

Brand-wide roles that write to the network (administrators, sales operations) manage
announcements; channel managers read them (with their own distributors' receipts) and talk
with their distributors. Distributor users read announcements and write to the brand.
"""

_READ = ["comms.view_announcement"]
_TALK = ["comms.view_thread", "comms.add_thread", "comms.change_thread", "comms.add_message"]
_MANAGE = ["comms.add_announcement", "comms.change_announcement", "comms.delete_announcement",
           "comms.publish_announcement"]

PERMISSIONS: dict[str, list[str]] = {
    "admin": _READ + _MANAGE + _TALK,
    "sales_ops": _READ + _MANAGE + _TALK,
    "channel_manager": _READ + _TALK,
    "warehouse": _READ,
    "finance": _READ + ["comms.view_thread"],
    "distributor_admin": _READ + _TALK,
    "distributor_staff": _READ + _TALK,
}
