import re
import subprocess

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from dms.accounts.roles import Role
from dms.core import pdf
from dms.logistics import documents, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(distributor, make_order, admin_user, carrier):
    order = make_order(distributor, 3, 5)
    s = services.create_shipment(order_id=order.pk, actor=admin_user, note="请轻放")
    return services.dispatch_shipment(shipment_id=s.pk, carrier=carrier, tracking_number="SF123456", actor=admin_user)


def test_delivery_note_html_has_the_shipment_and_its_lines(shipment, settings):
    settings.LANGUAGE_CODE = "en"
    html = render_to_string(documents.DELIVERY_NOTE_TEMPLATE, documents.delivery_note_context(shipment))
    assert "Delivery note" in html
    for text in (shipment.number, shipment.order.number, shipment.distributor.name, "顺丰速运", "SF123456",
                 shipment.warehouse.name, "请轻放", "Received by (consignee)"):
        assert text in html
    for line in shipment.lines.select_related("product"):
        assert line.product.sku in html and line.product.name in html
    # the QR code and the barcode are inline images: nothing to fetch
    assert html.count('src="data:image/svg+xml;base64,') == 2


def test_pick_list_is_sorted_by_sku_with_a_tick_box_per_line(shipment):
    html = render_to_string(documents.PICK_LIST_TEMPLATE, documents.pick_list_context(shipment))
    skus = sorted(sl.product.sku for sl in shipment.lines.select_related("product"))
    assert [html.index(s) for s in skus] == sorted(html.index(s) for s in skus)
    assert html.count('class="box"') == len(skus)


def test_pdf_embeds_the_cjk_font(shipment):
    raw = pdf.render_pdf(documents.DELIVERY_NOTE_TEMPLATE, documents.delivery_note_context(shipment),
                         uncompressed_pdf=True)
    assert raw.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", raw))
    assert any(b"CJK" in f for f in fonts), fonts


def test_pdf_text_is_chinese_and_names_the_shipment(shipment, tmp_path):
    path = tmp_path / "note.pdf"
    path.write_bytes(documents.delivery_note_pdf(shipment))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607
    assert shipment.number in text and "顺丰速运" in text and shipment.distributor.name in text


def test_fetcher_loads_only_bundled_static_files():
    fetcher = pdf.url_fetcher()
    css = fetcher.fetch(pdf.ASSET_BASE + "pdf/document.css")
    assert b"Noto Sans CJK SC" in css.read()
    for url in ("file:///etc/passwd", "http://example.com/a.png", "https://example.com/pdf/document.css",
                pdf.ASSET_BASE + "../../etc/passwd", pdf.ASSET_BASE + "pdf/missing.css",
                pdf.ASSET_BASE + "pdf/document.css?x=1"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_markup_in_data_cannot_fetch_anything(distributor, make_order, admin_user, carrier, monkeypatch):
    fetched = []
    original = pdf.url_fetcher

    def spy():
        f = original()
        fetch = f.fetch

        def record(url, headers=None):
            fetched.append(url)
            return fetch(url, headers)

        f.fetch = record
        return f

    monkeypatch.setattr(pdf, "url_fetcher", spy)
    distributor.name = '<img src="http://evil.example/x.png">'
    distributor.save()
    order = make_order(distributor, 1)
    s = services.create_shipment(order_id=order.pk, actor=admin_user)
    assert documents.delivery_note_pdf(s).startswith(b"%PDF")
    assert all(u.startswith(("data:", pdf.ASSET_BASE)) for u in fetched), fetched


def test_staff_download_the_pdfs(client, admin_user, shipment):
    client.force_login(admin_user)
    for name in ("logistics:delivery_note", "logistics:pick_list"):
        response = client.get(reverse(name, args=[shipment.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and len(response.content) > 1000
        assert shipment.number in response["Content-Disposition"]


def test_pdfs_of_another_managers_distributor_answer_404(client, make_staff, other_dist_admin, shipment):
    outsiders = [make_staff(Role.CHANNEL_MANAGER, username="cm_other"), other_dist_admin]
    for user in outsiders:
        client.force_login(user)
        for name in ("logistics:delivery_note", "logistics:pick_list"):
            assert client.get(reverse(name, args=[shipment.pk])).status_code == 404, (user, name)


def test_the_distributors_channel_manager_gets_the_pdf(client, channel_manager, shipment):
    client.force_login(channel_manager)
    assert client.get(reverse("logistics:delivery_note", args=[shipment.pk])).status_code == 200
