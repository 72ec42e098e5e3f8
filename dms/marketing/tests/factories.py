"""Test data for market feedback and materials (through the services, as users make it)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from dms.marketing import services

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_feedback(distributor, user=None, **kwargs):
    data = {"category": "price", "title": "竞品降价", "details": "某竞品在本地商超降价 10%。", "rating": 4}
    data.update(kwargs)
    return services.submit_feedback(distributor_id=distributor.pk, actor=user, **data)


def make_material(actor=None, **kwargs):
    data = {"title": "春季新品宣传册", "category": "brochure", "is_published": True, "file": pdf("brochure.pdf")}
    data.update(kwargs)
    return services.create_material(actor=actor, **data)
