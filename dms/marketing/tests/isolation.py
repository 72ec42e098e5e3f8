"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor."""

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"feedback": "feedback", "feedback-attachments": "feedback_attachment",
                                "materials": "material"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"marketing:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "marketing:feedback_detail": "feedback",
    "marketing:feedback_triage": "feedback",
    "marketing:feedback_respond": "feedback",
    "marketing:feedback_close": "feedback",
    "marketing:feedback_attachment": "feedback_attachment",
    "marketing_portal:feedback_detail": "feedback",
    "marketing_portal:feedback_attachment": "feedback_attachment",
    # a material of a tier the outsiders' distributors are not in (channel managers do not
    # manage materials: the back-office routes answer them 403 whatever the id)
    "marketing:material_detail": "material",
    "marketing:material_edit": "material",
    "marketing:material_delete": "material",
    "marketing:material_file": "material",
    "marketing_portal:material_download": "material",
    "marketing_portal:material_preview": "material",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider).

    The material is restricted to the victim's tier, which must not be the outsiders' (they
    are first-tier): a first-tier victim is moved to a tier of its own (another app's walk
    may have moved it already; then that tier is kept)."""
    from dms.distributors.models import Distributor, Tier
    from dms.marketing import services

    own_tier = Distributor.objects.select_related("tier").get(pk=distributor.pk).tier
    if own_tier is None or own_tier.level == 1:
        own_tier, _ = Tier.objects.get_or_create(level=97, defaults={"name": "A-TIER-777"})
        Distributor.objects.filter(pk=distributor.pk).update(tier=own_tier)
        distributor.tier = own_tier
    feedback = services.submit_feedback(
        distributor_id=distributor.pk, actor=owner, category="competitor", title="A-FEEDBACK-777",
        details="A-DETAILS-777", rating=4, competitor_name="A-RIVAL-777", competitor_price="12.34",
        attachments=[SimpleUploadedFile("a-photo.png", PNG, content_type="image/png")])
    services.triage_feedback(feedback_id=feedback.pk, actor=staff, priority="high")
    services.respond_feedback(feedback_id=feedback.pk, actor=staff, response="A-RESPONSE-777")
    material = services.create_material(
        actor=staff, title="A-MATERIAL-777", category="image", description="A-MATDESC-777", is_published=True,
        tiers=[own_tier.pk], file=SimpleUploadedFile("a-poster.png", PNG, content_type="image/png"))
    services.record_download(material_id=material.pk, user=owner)
    ids = {"feedback": feedback.pk, "feedback_attachment": feedback.attachments.get().pk, "material": material.pk}
    return ids, ["A-FEEDBACK-777", "A-DETAILS-777", "A-RIVAL-777", "A-RESPONSE-777", "A-MATERIAL-777",
                 "A-MATDESC-777", feedback.number]
