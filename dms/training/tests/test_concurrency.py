"""Seats under concurrency, on PostgreSQL (SQLite serialises writers, so it cannot show the
race): many people registering at once for the last seats never overfill a session."""

import threading

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from dms.core.testing.factories import DistributorFactory, portal_user
from dms.training import services
from dms.training.models import Registration, TrainingSession

from .factories import course_with_quiz, session_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL (run in CI)"),
]


def run_together(fn, n):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            with scopes_disabled():
                barrier.wait()
                results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_eight_people_racing_for_three_seats():
    with scopes_disabled():
        session = session_for(course_with_quiz(), capacity=3)
        distributor = DistributorFactory()
        people = [portal_user(distributor, "distributor_staff") for _ in range(8)]
    results, errors = run_together(lambda i: services.register(session_id=session.pk, user=people[i]), 8)
    assert len(results) == 3 and len(errors) == 5
    assert all(isinstance(e, services.SessionFull) for e in errors), errors
    with scopes_disabled():
        assert TrainingSession.objects.get(pk=session.pk).registered_count == 3
        assert Registration.objects.filter(session=session).count() == 3
