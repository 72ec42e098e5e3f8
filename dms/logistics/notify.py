"""Notifications about shipments, sent after commit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Discrepancy, Shipment


def dispatched(shipment_id: int) -> None:
    with scopes_disabled():
        s = Shipment.objects.select_related("carrier", "order").get(pk=shipment_id)
        notify(User.objects.filter(distributor_id=s.distributor_id, is_active=True), category=Category.SHIPMENT,
               title=_("Shipment %(number)s is on its way") % {"number": s.number},
               body=_("Order %(order)s · %(carrier)s %(tracking)s") % {
                   "order": s.order.number, "carrier": s.carrier.name if s.carrier else "",
                   "tracking": s.tracking_number},
               url=reverse("portal:shipment", args=[s.pk]))


def discrepancy_reported(discrepancy_id: int) -> None:
    with scopes_disabled():
        case = Discrepancy.objects.select_related("shipment", "distributor").get(pk=discrepancy_id)
        users = User.objects.filter(distributor__isnull=True, is_active=True,
                                    groups__name__in=[Role.WAREHOUSE, Role.SALES_OPS]).distinct()
        notify(users, category=Category.SHIPMENT,
               title=_("Delivery discrepancy on %(number)s (%(name)s)") % {"number": case.shipment.number,
                                                                          "name": case.distributor.name},
               body=case.description, url=case.shipment.get_absolute_url())
