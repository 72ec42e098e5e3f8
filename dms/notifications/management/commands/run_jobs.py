import datetime as dt

from django.core.management.base import BaseCommand

from dms.notifications.jobs import JOBS, run_all


class Command(BaseCommand):
    help = "Run the periodic jobs now (the same ones Celery beat runs). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--only", nargs="*", choices=[*JOBS, "reminders"], help="Run only these jobs.")

    def handle(self, *args, date=None, only=None, **options):
        today = dt.date.fromisoformat(date) if date else None
        for name, count in run_all(today, only).items():
            self.stdout.write(f"{name}: {count}")
