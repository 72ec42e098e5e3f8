"""Finance (credit part) in the generated isolation walks (contract: dms/core/testing/isolation.py)."""

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"crm:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "finance:release_hold": "order",
    "finance:reject_hold": "order",
    "finance:credit": "distributor",
    "finance:credit_update": "distributor",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    return {}, []
