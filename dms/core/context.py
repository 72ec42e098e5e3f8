"""Who is acting and from where, for the audit log. Set per request by middleware and
by jobs (`acting_as`)."""

import contextvars
from contextlib import contextmanager

_actor = contextvars.ContextVar("dms_actor", default=None)
_ip = contextvars.ContextVar("dms_ip", default=None)


def current_actor():
    return _actor.get()


def current_ip():
    return _ip.get()


@contextmanager
def acting_as(actor, ip=None):
    t1, t2 = _actor.set(actor), _ip.set(ip)
    try:
        yield
    finally:
        _actor.reset(t1)
        _ip.reset(t2)
