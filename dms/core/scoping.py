"""Tenant isolation, failing closed.

Every tenant-owned model uses ``TenantManager`` (django-scopes): a query made outside an
active scope raises ``ScopeError`` instead of returning every distributor's rows. The
scope of a request is computed once, here, from the user:

* administrators and brand-wide roles (sales operations, warehouse, finance): all
  distributors (``None``);
* a channel manager: the distributors assigned to him (filtered on the channel manager
  column, so a distributor assigned to him during the request is in scope at once);
* a distributor user: his own distributor (one id);
* anyone else: nothing (an empty list).

Jobs and commands run inside ``scopes_disabled()`` explicitly.
"""

from django_scopes import ScopedManager, scope, scopes_disabled  # noqa: F401

from dms.accounts.roles import BRAND_WIDE_ROLES, Role


def TenantManager(field: str = "distributor"):  # noqa: N802 - reads like a class
    """``field`` leads from the model to its distributor ("id" on Distributor itself)."""
    manager_field = "channel_manager" if field == "id" else f"{field}__channel_manager"
    return ScopedManager(distributor=field, manager=manager_field)


def distributor_scope(user):
    """Return the scope value for ``user``: None (all), an id, or a list of ids."""
    if user is None or not user.is_authenticated:
        return []
    if user.distributor_id:
        return user.distributor_id
    if user.is_superuser:
        return None
    roles = user.role_names
    if roles & BRAND_WIDE_ROLES:
        return None
    if Role.CHANNEL_MANAGER in roles:
        from dms.distributors.models import Distributor

        with scopes_disabled():
            return list(Distributor.objects.filter(channel_manager=user).values_list("pk", flat=True))
    return []


def user_scope(user):
    """The request's scope: ``distributor`` and ``manager`` values (None = no restriction)."""
    if user is not None and user.is_authenticated and not user.distributor_id and not user.is_superuser:
        roles = user.role_names
        if not roles & BRAND_WIDE_ROLES and Role.CHANNEL_MANAGER in roles:
            return scope(distributor=None, manager=user.pk)
    return scope(distributor=distributor_scope(user), manager=None)
