"""PDF documents (delivery notes, pick lists, later invoices and statements) rendered from
HTML templates with WeasyPrint.

Only the project's own static files and inline ``data:`` images can be loaded while
rendering: templates refer to assets by their static path (``pdf/document.css``, or the
result of ``{% static %}``), resolved against a private base URL that the fetcher maps to
the static files finders. Anything else (http, file, other hosts, ``..``) is refused, so
text that ends up in a document can never make the server fetch a URL or read a file.

Chinese text uses the system's Noto Sans CJK font (Debian's ``fonts-noto-cjk``, installed
by ``scripts/ensure-system-packages.sh``) found through fontconfig by its family name.
"""

import base64
import io
import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

ASSET_BASE = "https://assets.dms.invalid/"
# The family names used in static/pdf/document.css (fontconfig resolves them).
CJK_FONT_FAMILY = "Noto Sans CJK SC"

# WeasyPrint logs every rendering step at INFO; keep its warnings (refused assets) only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class AssetRefused(ValueError):
    """A document asked for something that is not a bundled static file."""


def _static_path(url: str) -> str:
    """The static-file path for an asset URL, or AssetRefused."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != ASSET_BASE or parts.query:
        raise AssetRefused(url)
    path = unquote(parts.path)
    static_prefix = urlsplit(settings.STATIC_URL).path
    if path.startswith(static_prefix):
        path = path[len(static_prefix):]
    path = path.lstrip("/")
    if not path or "\\" in path or ".." in path.split("/") or posixpath.normpath(path) != path:
        raise AssetRefused(url)
    return path


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            found = finders.find(path)
            if not found:
                raise AssetRefused(url)
            with open(found, "rb") as fh:
                body = fh.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()(allowed_protocols={"data", "https"})


def html_to_pdf(html: str, **options) -> bytes:
    """``options`` go to WeasyPrint's ``write_pdf`` (e.g. ``uncompressed_pdf=True`` in tests)."""
    from weasyprint import HTML  # imported lazily: pango is loaded on first use

    return HTML(string=html, base_url=ASSET_BASE, url_fetcher=url_fetcher()).write_pdf(**options)


def render_pdf(template: str, context: dict, **options) -> bytes:
    """Render ``template`` with ``context`` and return the PDF bytes."""
    return html_to_pdf(render_to_string(template, context), **options)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """PDF bytes shown inline in the browser under ``filename``."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return data_uri(buf.getvalue(), "image/svg+xml")


def code128_svg(text: str) -> str:
    """A Code 128 barcode of ``text`` as an SVG ``data:`` URI (human-readable text below)."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    buf = io.BytesIO()
    Code128(text, writer=SVGWriter()).write(
        buf, options={"module_height": 12.0, "module_width": 0.3, "font_size": 8, "text_distance": 4,
                      "quiet_zone": 2.0})
    return data_uri(buf.getvalue(), "image/svg+xml")
