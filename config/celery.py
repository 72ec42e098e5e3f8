import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("dms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job is idempotent and also runnable as a management command
# (`python manage.py run_jobs`).
app.conf.beat_schedule = {
    "daily-jobs": {"task": "dms.notifications.tasks.run_daily_jobs", "schedule": crontab(minute=10, hour=1)},
    "frequent-jobs": {"task": "dms.notifications.tasks.run_frequent_jobs", "schedule": crontab(minute="*/5")},
    "hourly-reminders": {"task": "dms.notifications.tasks.run_reminders", "schedule": crontab(minute=5)},
}
