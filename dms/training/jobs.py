from dms.notifications.jobs import register_job

from . import services

register_job("training_deadline_reminders")(services.send_deadline_reminders)
