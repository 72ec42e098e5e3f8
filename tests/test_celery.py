"""The periodic jobs through a real Celery worker. In CI the broker and result backend are
the real Redis (CELERY_TEST_BROKER=redis://…); elsewhere the in-memory transport."""

import datetime as dt
import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from dms.core.testing.factories import ContractFactory
from dms.distributors.models import Contract
from dms.notifications import tasks


def _reset_connections():
    """Forget the backend and producer pool built from the previous configuration."""
    app._local.__dict__.pop("backend", None)
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def celery_worker():
    broker = os.environ.get("CELERY_TEST_BROKER", "memory://")
    backend = broker if broker.startswith("redis") else "cache+memory://"
    old = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=broker, result_backend=backend, task_always_eager=False,
                    broker_connection_retry_on_startup=False)
    _reset_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(old)
        _reset_connections()


@pytest.mark.django_db(transaction=True)
def test_daily_jobs_run_in_the_worker(celery_worker, distributor):
    ContractFactory(distributor=distributor, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1))
    result = tasks.run_daily_jobs.delay()
    counts = result.get(timeout=30)
    assert counts["expire_contracts"] == 1
    assert Contract.objects.get().status == Contract.Status.EXPIRED
    assert tasks.run_daily_jobs.delay().get(timeout=30)["expire_contracts"] == 0  # idempotent
