import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dms.core.errors import ValidationFailed
from dms.core.files import validate_document

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.mark.parametrize("content, ext", [(PDF, "pdf"), (PNG, "png"), (JPG, "jpg")])
def test_accepted_types_are_recognised_by_content(content, ext):
    assert validate_document(SimpleUploadedFile("whatever.bin", content)) == ext


@pytest.mark.parametrize("name", ["licence.pdf", "photo.png", "scan.jpg"])
def test_an_executable_named_like_a_document_is_refused(name):
    with pytest.raises(ValidationFailed) as err:
        validate_document(SimpleUploadedFile(name, EXE))
    assert "file" in err.value.fields


def test_html_and_zip_are_refused():
    for content in (b"<html><script>alert(1)</script></html>", b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(ValidationFailed):
            validate_document(SimpleUploadedFile("x.pdf", content))


def test_oversized_file_is_refused_before_reading(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as err:
        validate_document(SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert "file" in err.value.fields
