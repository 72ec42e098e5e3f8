"""The SLA watcher: every few minutes, warn before a deadline (80 % of the working time
used) and at the deadline. Each warning is claimed with a conditional UPDATE on its
``*_at`` column, so it goes out once however often, however late and in however many
workers the job runs."""

import datetime as dt

from django.db import transaction

from dms.notifications.jobs import register_frequent_job

from . import notify
from .models import Ticket

St = Ticket.Status

# (which clock, claim column, moment column, statuses whose clock runs, breach?)
# Breaches first: a breach claims the warning too, so a late run does not send both.
CHECKS = [
    ("first_response", "first_response_breach_sent_at", "first_response_due_at", Ticket.ACTIVE, True),
    ("first_response", "first_response_warned_at", "first_response_warn_at", Ticket.ACTIVE, False),
    # waiting_on_distributor pauses the resolution clock
    ("resolution", "resolution_breach_sent_at", "resolution_due_at", (St.OPEN, St.IN_PROGRESS), True),
    ("resolution", "resolution_warned_at", "resolution_warn_at", (St.OPEN, St.IN_PROGRESS), False),
]


def _due(which, claim, moment, statuses, now):
    qs = Ticket.objects.filter(status__in=statuses, **{f"{claim}__isnull": True, f"{moment}__lte": now})
    if which == "first_response":
        qs = qs.filter(first_response_at__isnull=True)
    return qs.values_list("pk", flat=True)


@register_frequent_job("service_sla_warnings")
def send_sla_warnings(now: dt.datetime) -> int:
    sent = 0
    for which, claim, moment, statuses, breached in CHECKS:
        for pk in list(_due(which, claim, moment, statuses, now)):
            with transaction.atomic():
                # the claim: only the run that sets the column sends
                claimed = Ticket.objects.filter(pk=pk, **{f"{claim}__isnull": True}).update(**{claim: now})
                if not claimed:
                    continue
                ticket = Ticket.objects.select_related("assignee", "distributor__channel_manager").get(pk=pk)
                if breached:  # the warning, if it never went out, is not sent after the breach
                    warned = f"{which}_warned_at"
                    Ticket.objects.filter(pk=pk, **{f"{warned}__isnull": True}).update(**{warned: now})
                notify.sla_warning(ticket, which=which, breached=breached)
                sent += 1
    return sent

