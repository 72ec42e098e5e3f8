from dms.notifications.jobs import register_job

from .services import send_follow_up_reminders


@register_job("crm_follow_up_reminders")
def remind_due_follow_ups(today) -> int:
    return send_follow_up_reminders(today)
