"""Races that matter for distributor information, run on PostgreSQL (SQLite serialises
writers, so it cannot show them). In CI the suite runs on PostgreSQL too."""

import threading

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from dms.core.errors import Conflict, InvalidTransition
from dms.core.testing.factories import DistributorFactory, UserFactory, make_credit_code
from dms.distributors import services
from dms.distributors.models import Distributor, Review

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


def test_concurrent_creations_get_distinct_codes():
    results, errors = run_together(
        lambda i: services.create_distributor(name=f"并发{i}", credit_code=make_credit_code(500 + i), tier=1).code, 8
    )
    assert errors == []
    assert len(set(results)) == 8
    assert Distributor.objects.count() == 8


def test_two_approvers_deciding_the_same_step_at_once_make_one_decision():
    admin_a, admin_b = UserFactory(roles=["admin"]), UserFactory(roles=["admin"])
    d = DistributorFactory(status=Distributor.Status.PROSPECT)
    services.submit_distributor(distributor_id=d.pk)
    review = Review.objects.get(distributor=d)
    step = review.step_id
    actors = [admin_a, admin_b]
    results, errors = run_together(
        lambda i: services.approve_review(review_id=review.pk, actor=actors[i], step_id=step), 2
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict), errors
    review.refresh_from_db()
    assert review.decisions.count() == 1 and review.step.position == 2


def test_concurrent_suspend_and_terminate_leave_a_valid_state():
    d = DistributorFactory(status=Distributor.Status.ACTIVE)
    actions = [
        lambda: services.suspend_distributor(distributor_id=d.pk, reason="a"),
        lambda: services.terminate_distributor(distributor_id=d.pk, reason="b"),
    ]
    results, errors = run_together(lambda i: actions[i](), 2)
    d.refresh_from_db()
    # Whichever ran first, the second saw its result under the lock: suspend-then-terminate
    # succeeds twice; terminate-then-suspend refuses the suspension. Never a lost update.
    assert d.status == Distributor.Status.TERMINATED
    assert [type(e) for e in errors] in ([], [InvalidTransition])
    from dms.audit.models import AuditLog

    transitions = AuditLog.objects.filter(model="distributors.distributor", object_id=str(d.pk), action="transition")
    assert transitions.count() == len(results)
