"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor."""

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"tickets": "ticket", "attachments": "ticket_attachment"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"service:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    **{f"service:{name}": "ticket" for name in ("detail", "messages", "assign", "status", "file")},
    **{f"service_portal:{name}": "ticket" for name in ("detail", "messages", "status", "rate", "file")},
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """A ticket of the victim with an attachment, a public reply and an internal note."""
    from dms.service import services

    ticket = services.create_ticket(
        distributor_id=distributor.pk, type="quality", subject="V-TICKET-SUBJECT-77",
        description="V-TICKET-BODY-77", batch_number="V-BATCH-77", actor=owner,
        attachments=[SimpleUploadedFile("v-photo.pdf", PDF)])
    services.post_message(ticket_id=ticket.pk, body="V-REPLY-77", actor=staff)
    services.post_message(ticket_id=ticket.pk, body="V-NOTE-77", internal=True, actor=staff)
    attachment = ticket.attachments.get()
    return ({"ticket": ticket.pk, "ticket_attachment": attachment.pk},
            [ticket.number, "V-TICKET-SUBJECT-77", "V-TICKET-BODY-77", "V-BATCH-77", "V-REPLY-77", "V-NOTE-77"])
