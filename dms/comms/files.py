"""Attachments: PDF, images and Office documents, recognised from their content."""

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dms.core.errors import ValidationFailed
from dms.core.files import DOCUMENT_TYPES

OFFICE_TYPES = {
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
ATTACHMENT_TYPES = {**DOCUMENT_TYPES, "image/gif": "gif", "image/webp": "webp", **OFFICE_TYPES}
MAX_FILES = 10


def validate_attachment(upload, field: str = "attachments") -> str:
    """Return the true extension of an accepted file or raise ValidationFailed."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed(fields={field: [
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.") % {
                "name": upload.name, "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}]})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationFailed(fields={field: [
            _("%(name)s: only PDF, images (JPG, PNG, GIF, WebP) and Office documents are accepted.")
            % {"name": upload.name}]})
    return ATTACHMENT_TYPES[kind.mime]


def attachment_rows(uploads, field: str = "attachments") -> list[dict]:
    """Check every upload (all or none) and return the fields of their attachment rows."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(fields={field: [_("At most %(n)d files at a time.") % {"n": MAX_FILES}]})
    rows = []
    for upload in uploads:
        ext = validate_attachment(upload, field)
        base = (upload.name or "file").rsplit("/", 1)[-1].rsplit(".", 1)[0][:200] or "file"
        upload.name = f"{base}.{ext}"
        rows.append({"file": upload, "name": upload.name, "size": upload.size})
    return rows
