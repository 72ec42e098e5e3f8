"""Notifications about orders and returns, sent after commit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Order, ReturnRequest


def _distributor_users(distributor_id):
    return User.objects.filter(distributor_id=distributor_id, is_active=True)


def _staff(role, distributor):
    users = User.objects.filter(distributor__isnull=True, is_active=True, groups__name=role)
    if role == Role.CHANNEL_MANAGER:
        users = users.filter(pk=distributor.channel_manager_id)
    return users.distinct()


def review_needed(order_id: int) -> None:
    with scopes_disabled():
        order = Order.objects.select_related("distributor", "current_step").get(pk=order_id)
        if order.current_step is None:
            return
        notify(_staff(order.current_step.role, order.distributor), category=Category.ORDER,
               title=_("Order %(number)s waits for %(step)s") % {"number": order.number,
                                                                "step": order.current_step.name},
               body=f"{order.distributor.name} · {order.total_amount} {order.currency}",
               url=order.get_absolute_url())


def status_changed(order_id: int, status: str) -> None:
    with scopes_disabled():
        order = Order.objects.select_related("distributor").get(pk=order_id)
        notify(_distributor_users(order.distributor_id), category=Category.ORDER,
               title=_("Order %(number)s: %(status)s") % {"number": order.number,
                                                          "status": Order.Status(status).label},
               body=order.status_reason, url=reverse("portal:order", args=[order.pk]))


def return_requested(return_id: int) -> None:
    with scopes_disabled():
        ret = ReturnRequest.objects.select_related("distributor", "order").get(pk=return_id)
        notify(_staff(Role.SALES_OPS, ret.distributor), category=Category.ORDER,
               title=_("Return %(number)s requested by %(name)s") % {"number": ret.number,
                                                                     "name": ret.distributor.name},
               body=ret.description, url=ret.order.get_absolute_url())


def return_changed(return_id: int) -> None:
    with scopes_disabled():
        ret = ReturnRequest.objects.select_related("order").get(pk=return_id)
        notify(_distributor_users(ret.distributor_id), category=Category.ORDER,
               title=_("Return %(number)s: %(status)s") % {"number": ret.number, "status": ret.get_status_display()},
               body=ret.decision_note, url=reverse("portal:order", args=[ret.order_id]))
