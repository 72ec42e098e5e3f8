from dms.notifications.jobs import register_job

from .services import evaluate_all_rules


@register_job("inventory_reorder_check")
def reorder_check(today) -> int:
    """Daily safety net: re-evaluate every active reorder rule (stock moves already queue
    the evaluation of what they touched)."""
    return evaluate_all_rules(today)
