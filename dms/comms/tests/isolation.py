"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor."""

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"announcements": "announcement", "threads": "thread"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = set()
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"comms:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "comms:announcement": "announcement",
    "comms:announcement_edit": "announcement",
    "comms:announcement_publish": "announcement",
    "comms:announcement_archive": "announcement",
    "comms:announcement_file": "announcement_file",
    "comms:thread": "thread",
    "comms:thread_messages": "thread",
    "comms:thread_post": "thread",
    "comms:thread_status": "thread",
    "comms:message_file": "message_file",
    "comms_portal:announcement": "announcement",
    "comms_portal:announcement_file": "announcement_file",
    "comms_portal:thread": "thread",
    "comms_portal:thread_messages": "thread",
    "comms_portal:thread_post": "thread",
    "comms_portal:thread_status": "thread",
    "comms_portal:message_file": "message_file",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = set()


def victim_objects(*, distributor, owner, staff):
    """An announcement addressed only to the victim (published, with a file, read by its
    owner) and a conversation with a message and a file."""
    from dms.comms import services

    announcement = services.create_announcement(
        data={"title": "COMMS-ANN-SECRET-71", "body": "COMMS-BODY-SECRET-72", "target_all": False,
              "distributors": [distributor.pk]},
        attachments=[SimpleUploadedFile("ann.pdf", PDF)], actor=staff)
    services.publish_announcement(announcement_id=announcement.pk, actor=staff)
    services.mark_announcement_read(announcement=announcement, user=owner)
    thread = services.start_thread(distributor=distributor, subject="COMMS-THREAD-SECRET-73",
                                   body="COMMS-MSG-SECRET-74", actor=owner,
                                   attachments=[SimpleUploadedFile("msg.pdf", PDF)])
    message = thread.messages.get()
    ids = {"announcement": announcement.pk, "announcement_file": announcement.attachments.get().pk,
           "thread": thread.pk, "message_file": message.attachments.get().pk}
    return ids, ["COMMS-ANN-SECRET-71", "COMMS-BODY-SECRET-72", "COMMS-THREAD-SECRET-73", "COMMS-MSG-SECRET-74"]
