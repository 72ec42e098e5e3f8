"""Test helpers: tickets are made through the service, as users make them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from dms.service import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def pdf(name="photo.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_ticket(distributor, actor, **kwargs):
    values = {"type": "quality", "subject": "包装破损", "description": "外箱破损，内有两瓶渗漏。", "priority": "normal"}
    values.update(kwargs)
    return services.create_ticket(distributor_id=distributor.pk, actor=actor, **values)
