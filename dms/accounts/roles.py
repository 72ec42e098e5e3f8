"""Roles and their permissions, defined in one place.

Roles are Django groups; ``sync_roles`` (run by a data migration and by ``migrate``'s
post-migrate hook) makes the groups' permissions equal to this table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    SALES_OPS = "sales_ops", _("Sales operations")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")
    DISTRIBUTOR_ADMIN = "distributor_admin", _("Distributor administrator")
    DISTRIBUTOR_STAFF = "distributor_staff", _("Distributor staff")


STAFF_ROLES = {Role.ADMIN, Role.CHANNEL_MANAGER, Role.SALES_OPS, Role.WAREHOUSE, Role.FINANCE}
DISTRIBUTOR_ROLES = {Role.DISTRIBUTOR_ADMIN, Role.DISTRIBUTOR_STAFF}
# Roles that see every distributor; a channel manager sees only his own.
BRAND_WIDE_ROLES = {Role.ADMIN, Role.SALES_OPS, Role.WAREHOUSE, Role.FINANCE}

_DIST_READ = [
    "distributors.view_distributor",
    "distributors.view_contact",
    "distributors.view_qualification",
    "distributors.view_contract",
    "distributors.view_review",
]
_DIST_WRITE = [
    "distributors.add_distributor",
    "distributors.change_distributor",
    "distributors.add_contact",
    "distributors.change_contact",
    "distributors.delete_contact",
    "distributors.add_qualification",
    "distributors.change_qualification",
    "distributors.add_contract",
    "distributors.change_contract",
    "distributors.submit_distributor",
]

_CATALOG_READ = ["catalog.view_product", "catalog.view_pricelist", "catalog.view_promotion"]
_CATALOG_WRITE = [
    "catalog.add_product",
    "catalog.change_product",
    "catalog.import_product",
    "catalog.add_pricelist",
    "catalog.change_pricelist",
    "catalog.add_promotion",
    "catalog.change_promotion",
    "catalog.add_category",
    "catalog.change_category",
]
_STOCK_READ = ["inventory.view_stocklevel", "inventory.view_warehouse"]
# change_stocklevel: receipts, counts, adjustments and transfers.
_STOCK_WRITE = ["inventory.change_stocklevel", "inventory.change_reorderrule", "inventory.add_reorderrule",
                "inventory.change_replenishmentsuggestion"]
_ORDER_READ = ["orders.view_order", "orders.view_returnrequest", "logistics.view_shipment"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        *_DIST_READ,
        *_DIST_WRITE,
        "distributors.change_distributor_status",
        "distributors.review_distributor",
        "distributors.final_review_distributor",
        "distributors.verify_qualification",
        "distributors.import_distributor",
        "accounts.manage_portal_users",
        "audit.view_auditlog",
        "notifications.view_reminderrule",
        "notifications.change_reminderrule",
        *_CATALOG_READ,
        *_CATALOG_WRITE,
        *_STOCK_READ,
        *_STOCK_WRITE,
        "inventory.add_warehouse",
        "inventory.change_warehouse",
        *_ORDER_READ,
        "orders.order_on_behalf",
        "orders.approve_order",
        "orders.change_order",
        "orders.change_returnrequest",
        "logistics.dispatch_shipment",
        "logistics.change_discrepancy",
    ],
    Role.CHANNEL_MANAGER: [
        *_DIST_READ,
        *_DIST_WRITE,
        "distributors.review_distributor",
        "distributors.verify_qualification",
        "accounts.manage_portal_users",
        "audit.view_auditlog",
        *_CATALOG_READ,
        *_STOCK_READ,
        *_ORDER_READ,
        "orders.order_on_behalf",
        "orders.change_order",
    ],
    Role.SALES_OPS: [
        *_DIST_READ,
        *_DIST_WRITE,
        "distributors.change_distributor_status",
        "distributors.import_distributor",
        "audit.view_auditlog",
        *_CATALOG_READ,
        *_CATALOG_WRITE,
        *_STOCK_READ,
        *_ORDER_READ,
        "orders.order_on_behalf",
        "orders.approve_order",
        "orders.change_order",
        "orders.change_returnrequest",
        "logistics.change_discrepancy",
    ],
    Role.WAREHOUSE: [
        "distributors.view_distributor",
        "distributors.view_contact",
        *_CATALOG_READ,
        *_STOCK_READ,
        *_STOCK_WRITE,
        *_ORDER_READ,
        "orders.approve_order",
        "orders.change_returnrequest",
        "logistics.dispatch_shipment",
        "logistics.change_discrepancy",
    ],
    Role.FINANCE: [
        *_DIST_READ,
        "distributors.change_distributor_status",
        "audit.view_auditlog",
        *_CATALOG_READ,
        *_ORDER_READ,
        "orders.approve_order",
    ],
    Role.DISTRIBUTOR_ADMIN: ["accounts.manage_portal_users"],
    Role.DISTRIBUTOR_STAFF: [],
}


def _merge_feature_permissions():
    """Add what each feature app's ``roles.PERMISSIONS`` gives a role (see settings.DMS_FEATURE_APPS)."""
    from importlib import import_module

    from django.conf import settings

    for app in settings.DMS_FEATURE_APPS:
        for role, perms in import_module(f"dms.{app}.roles").PERMISSIONS.items():
            ROLE_PERMISSIONS[Role(role)].extend(p for p in perms if p not in ROLE_PERMISSIONS[Role(role)])


_merge_feature_permissions()


def sync_roles(apps=None, schema_editor=None, **kwargs):
    """Create the role groups and set their permissions to ROLE_PERMISSIONS.

    Runs in the accounts data migration and again after every ``migrate``, so the groups
    always equal this table.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    if apps is None or not hasattr(apps, "get_model"):
        apps = global_apps
    for app_config in apps.get_app_configs():
        previous, app_config.models_module = getattr(app_config, "models_module", None), True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        objs = []
        for perm in perms:
            app_label, codename = perm.split(".")
            # An app migrated later has no permissions yet: the post-migrate run adds them.
            objs.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(objs)
