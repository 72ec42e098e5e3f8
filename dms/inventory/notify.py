"""Who hears about stock: the warehouse staff."""

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.notifications.models import Category
from dms.notifications.services import notify


def low_stock_raised(alert_id: int) -> None:
    from django.urls import reverse

    from .models import LowStockAlert

    with scopes_disabled():
        alert = LowStockAlert.objects.select_related("product", "warehouse").get(pk=alert_id)
        users = User.objects.filter(groups__name__in=[Role.WAREHOUSE, Role.ADMIN], is_active=True).distinct()
        body = _("Available %(available)s is below the reorder point %(point)s.") % {
            "available": alert.available, "point": alert.reorder_point}
        if alert.stockout_date:
            body += " " + _("Estimated stock-out: %(date)s.") % {"date": alert.stockout_date.isoformat()}
        notify(users, category=Category.STOCK,
               title=_("Low stock: %(sku)s at %(warehouse)s") % {"sku": alert.product.sku,
                                                                 "warehouse": alert.warehouse.name},
               body=body, url=reverse("inventory:alerts"))
