"""Multi-table INSERTs in one statement, for the hot order path on PostgreSQL.

``insert_parts`` turns unsaved model instances into a column list, ``VALUES`` rows with
explicit casts and their parameters, through the fields' own ``pre_save`` and
``get_db_prep_save`` (so defaults, ``auto_now`` and JSON adaptation are what ``save()``
would write).
"""

from django.db import connection


def insert_parts(model, objs, exclude=(), expressions=None) -> tuple[str, str, list]:
    """``expressions`` maps a field name to (SQL, params) computed by the database (one
    object only)."""
    expressions = expressions or {}
    fields = [f for f in model._meta.concrete_fields if f.name not in exclude and not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = "(" + ", ".join(expressions[f.name][0] if f.name in expressions else f"%s::{f.cast_db_type(connection)}"
                          for f in fields) + ")"
    params = []
    for obj in objs:
        for f in fields:
            if f.name in expressions:
                params.extend(expressions[f.name][1])
            else:
                params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    return columns, ", ".join([row] * len(objs)), params


def mark_saved(*objs) -> None:
    for obj in objs:
        obj._state.adding, obj._state.db = False, "default"
