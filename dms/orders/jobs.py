from dms.notifications.jobs import register_job

from .services import auto_complete


@register_job("orders_auto_complete")
def complete_delivered_orders(today) -> int:
    return auto_complete(today)
