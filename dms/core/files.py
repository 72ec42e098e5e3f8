"""Upload validation: size limit and type checked from the content, not the name."""

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def validate_document(upload, field: str = "file") -> str:
    """Return the true extension of an uploaded PDF/JPG/PNG or raise ValidationFailed."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed(
            fields={field: [_("The file is too large (%(size)s); the limit is %(limit)s.") % {
                "size": filesizeformat(upload.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}]}
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise ValidationFailed(
            fields={field: [_("Only PDF, JPG and PNG files are accepted; this file's content is not one of them.")]}
        )
    return DOCUMENT_TYPES[kind.mime]


def serve_private_file(fieldfile, download_name: str):
    """Stream a private upload. Call only after the caller's scope and permission checks."""
    import mimetypes

    from django.http import FileResponse, Http404

    if not fieldfile:
        raise Http404
    content_type = mimetypes.guess_type(fieldfile.name)[0] or "application/octet-stream"
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=download_name or fieldfile.name,
                            content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
