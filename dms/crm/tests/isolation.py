"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor."""

import datetime as dt

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"customers": "customer"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"crm:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "crm:detail": "customer",
    "crm_portal:detail": "customer",
    "crm_portal:edit": "customer",
    "crm_portal:follow_up_add": "customer",
    "crm_portal:need_add": "customer",
    "crm_portal:need_status": "customer_need",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    from dms.crm import services

    customer = services.create_customer(
        distributor_id=distributor.pk, actor=owner, name="甲方秘密客户-CRM-777", address="秘密路777号",
        region_code="440305", tags=["CRM-TAG-777"], notes="CRM-NOTE-777",
        contacts=[{"name": "秘密联系人", "phone": "13977700777"}])
    services.add_follow_up(customer_id=customer.pk, actor=owner, date=dt.date.today(), channel="visit",
                           summary="CRM-FOLLOWUP-777", next_step="CRM-NEXT-777", next_date=dt.date.today())
    need = services.add_need(customer_id=customer.pk, actor=owner, need="CRM-NEED-777", category="product",
                             priority="high")
    return ({"customer": customer.pk, "customer_need": need.pk},
            ["甲方秘密客户-CRM-777", "秘密路777号", "CRM-TAG-777", "CRM-NOTE-777", "13977700777", "CRM-FOLLOWUP-777",
             "CRM-NEXT-777", "CRM-NEED-777"])
