"""Readable order numbers, ``SO`` + the local date + a counter: ``SO20261126000123``.

On PostgreSQL the number is the column's database default, built from a sequence and
returned by the INSERT itself (no extra statement, no hot counter row). SQLite cannot
use a subquery or a sequence in a default, and serialises writers anyway, so there the
service sets the number from ``core.Sequence`` before the INSERT.
"""

from django.conf import settings
from django.db import models

SEQUENCE = "orders_order_number_seq"


class OrderNumber(models.Func):
    output_field = models.CharField()

    def __init__(self):
        super().__init__()

    def as_sql(self, compiler, connection, **extra):
        return "''", []

    def as_postgresql(self, compiler, connection, **extra):
        tz = settings.TIME_ZONE.replace("'", "")
        return (
            f"('SO' || to_char(statement_timestamp() AT TIME ZONE '{tz}', 'YYYYMMDD') "
            f"|| lpad(nextval('{SEQUENCE}')::text, 6, '0'))"
        ), []

    def deconstruct(self):
        return "dms.orders.numbers.OrderNumber", (), {}
