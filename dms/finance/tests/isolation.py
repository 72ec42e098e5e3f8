"""Finance's part of the generated isolation walks: the union of its three parts."""

from . import isolation_credit, isolation_ledger, isolation_statements

_PARTS = (isolation_ledger, isolation_credit, isolation_statements)

API_SEGMENTS = {k: v for p in _PARTS for k, v in p.API_SEGMENTS.items()}
API_SHARED = set().union(*(p.API_SHARED for p in _PARTS))
API_PORTAL_FORBIDDEN = set().union(*(p.API_PORTAL_FORBIDDEN for p in _PARTS))
PAGE_ROUTES = {k: v for p in _PARTS for k, v in p.PAGE_ROUTES.items()}
PAGE_NOT_TENANT = set().union(*(p.PAGE_NOT_TENANT for p in _PARTS))


def victim_objects(*, distributor, owner, staff):
    ids, secrets = {}, []
    for part in _PARTS:
        more_ids, more_secrets = part.victim_objects(distributor=distributor, owner=owner, staff=staff)
        ids.update(more_ids)
        secrets.extend(more_secrets)
    return ids, secrets
