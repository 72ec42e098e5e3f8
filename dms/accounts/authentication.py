import functools

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from .backends import account_usable


@functools.cache
def _token_sql():
    """SELECT token, user, distributor by key hash — the SQL of
    ``ApiToken.objects.authenticate``, written out once instead of built by the ORM on
    every API request."""
    from dms.distributors.models import Distributor

    from .models import ApiToken, User

    models = [(ApiToken, "t"), (User, "u"), (Distributor, "d")]
    fields = [[f.attname for f in model._meta.concrete_fields] for model, _alias in models]
    columns = ", ".join(f'{alias}."{model._meta.get_field(name).column}"'
                        for (model, alias), names in zip(models, fields, strict=True) for name in names)
    tables = (f"{ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
              f"LEFT JOIN {Distributor._meta.db_table} d ON d.id = u.distributor_id")
    sql = f"SELECT {columns} FROM {tables} WHERE t.key_hash = %s"  # noqa: S608 - names from model metadata
    return sql, models, fields


def _authenticate(key: str):
    """The token with its user and the user's distributor loaded, or None."""
    from .models import ApiToken, _hash

    if connection.vendor != "postgresql":  # other databases need the ORM's value converters
        return ApiToken.objects.authenticate(key)
    sql, models, fields = _token_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [_hash(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    for (model, _alias), names in zip(models, fields, strict=True):
        values = row[start:start + len(names)]
        start += len(names)
        objects.append(model.from_db(connection.alias, names, values) if values[0] is not None else None)
    token, user, distributor = objects
    user._state.fields_cache["distributor"] = distributor
    token._state.fields_cache["user"] = user
    return token


def user_from_bearer(key: str):
    from .models import ApiToken

    token = _authenticate(key) if key else None
    if token is None or not account_usable(token.user):
        return AnonymousUser()
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Uses the user the BearerTokenMiddleware resolved; rejects a bad token with 401."""

    def authenticate(self, request):
        django_request = request._request
        if getattr(django_request, "bearer_key", None) is None:
            return None
        user = django_request.user
        if not user.is_authenticated:
            raise exceptions.AuthenticationFailed(code="invalid_token")
        return (user, None)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    pass
