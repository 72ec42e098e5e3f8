from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django_scopes import scopes_disabled

from .models import Notification


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    for n in Notification.objects.select_related("user").filter(pk__in=notification_ids):
        link = f"\n\n{settings.SITE_URL}{n.url}" if n.url else ""
        send_mail(n.title, f"{n.body}{link}", None, [n.user.email], fail_silently=False)
        sent += 1
    return sent


@shared_task
def run_reminders() -> int:
    from .reminders import run_reminders as run

    with scopes_disabled():
        return run()


@shared_task
def run_daily_jobs() -> dict:
    from .jobs import run_all

    return run_all()


@shared_task
def run_frequent_jobs() -> dict:
    from .jobs import run_frequent

    return run_frequent()
