"""Multi-table INSERTs in one statement, for the hot order path on PostgreSQL.

``insert_parts`` turns unsaved model instances into a column list, ``VALUES`` rows with
explicit casts and their parameters, through the fields' own ``pre_save`` and
``get_db_prep_save`` (so defaults, ``auto_now`` and JSON adaptation are what ``save()``
would write).
"""

from django.db import connection


def insert_parts(model, objs, exclude=()) -> tuple[str, str, list]:
    fields = [f for f in model._meta.concrete_fields if f.name not in exclude and not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    return columns, ", ".join([row] * len(objs)), params


def mark_saved(*objs) -> None:
    for obj in objs:
        obj._state.adding, obj._state.db = False, "default"
