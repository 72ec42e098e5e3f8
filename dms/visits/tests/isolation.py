"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"visits": "visit", "visit-actions": "visit_action"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"visits:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "visits:detail": "visit",
    "visits:edit": "visit",
    "visits:complete": "visit",
    "visits:cancel": "visit",
    "visits:action_add": "visit",
    "visits:photo_add": "visit",
    "visits:action_done": "visit_action",
    "visits:photo": "visit_photo",
    "visits_portal:detail": "visit",
    "visits_portal:action_done": "visit_action",
    "visits_portal:photo": "visit_photo",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    from dms.visits import services

    day = dt.date.today() - dt.timedelta(days=3)
    visit = services.record_visit(
        distributor_id=distributor.pk, visit_date=day, actor=staff, topics="V-TOPIC-777 新品陈列",
        problems="V-PROBLEM-777", internal_notes="V-NOTE-777", participants="V-PEOPLE-777",
        actions=[{"description": "V-ACTION-777 补货", "owner_type": "distributor"}])
    photo = services.add_photo(visit_id=visit.pk, upload=SimpleUploadedFile("v.png", PNG), actor=staff)
    ids = {"visit": visit.pk, "visit_action": visit.actions.get().pk, "visit_photo": photo.pk}
    return ids, ["V-TOPIC-777", "V-PROBLEM-777", "V-NOTE-777", "V-PEOPLE-777", "V-ACTION-777"]
