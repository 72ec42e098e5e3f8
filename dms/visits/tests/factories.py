"""Test helpers for visits: build visits through the services, as users would."""

import datetime as dt

from django.utils import timezone

from dms.visits import services


def planned(distributor, *, days_ahead=5, actor=None, **kwargs):
    return services.create_visit(distributor_id=distributor.pk, actor=actor,
                                 planned_date=timezone.localdate() + dt.timedelta(days=days_ahead), **kwargs)


def completed(distributor, *, days_ago=3, actor=None, **record):
    record.setdefault("topics", "新品陈列与库存")
    return services.record_visit(distributor_id=distributor.pk, actor=actor,
                                 visit_date=timezone.localdate() - dt.timedelta(days=days_ago), **record)
