"""Printed shipment documents: the delivery note (发货单) that travels with the goods and the
pick list (拣货单) the warehouse works from. Callers pass a shipment they already fetched
within the user's scope; nothing here widens it."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.pdf import code128_svg, qr_svg, render_pdf

from .models import Shipment

DELIVERY_NOTE_TEMPLATE = "logistics/pdf/delivery_note.html"
PICK_LIST_TEMPLATE = "logistics/pdf/pick_list.html"


def portal_url(shipment: Shipment) -> str:
    """Where the distributor sees this shipment (the QR code on the delivery note)."""
    try:
        path = reverse("portal:shipment", args=[shipment.pk])
    except NoReverseMatch:
        return shipment.number
    return settings.SITE_URL.rstrip("/") + path


def _context(shipment: Shipment, *, sort_by_sku: bool = False) -> dict:
    shipment = (Shipment.objects.select_related("order", "distributor", "warehouse", "carrier")
                .prefetch_related("lines__product").get(pk=shipment.pk))
    lines = list(shipment.lines.all())
    if sort_by_sku:
        lines.sort(key=lambda sl: (sl.product.sku, sl.pk))
    date = shipment.dispatched_at or shipment.created_at
    return {
        "shipment": shipment,
        "order": shipment.order,
        "distributor": shipment.distributor,
        "contact": shipment.distributor.contacts.filter(is_primary=True).first(),
        "lines": lines,
        "total_quantity": sum(sl.quantity for sl in lines),
        "date": timezone.localtime(date),
        "printed_at": timezone.localtime(),
        "company_name": getattr(settings, "COMPANY_NAME", "") or _("Distributor Management System"),
        "company_address": getattr(settings, "COMPANY_ADDRESS", ""),
        "barcode": code128_svg(shipment.number),
        "qr": qr_svg(portal_url(shipment)),
    }


def delivery_note_context(shipment: Shipment) -> dict:
    return _context(shipment)


def pick_list_context(shipment: Shipment) -> dict:
    return _context(shipment, sort_by_sku=True)


def delivery_note_pdf(shipment: Shipment) -> bytes:
    """The delivery note (发货单) as PDF bytes."""
    return render_pdf(DELIVERY_NOTE_TEMPLATE, delivery_note_context(shipment))


def pick_list_pdf(shipment: Shipment) -> bytes:
    """The pick list (拣货单), lines sorted by SKU with a tick box each, as PDF bytes."""
    return render_pdf(PICK_LIST_TEMPLATE, pick_list_context(shipment))


def filename(shipment: Shipment, kind: str) -> str:
    return f"{shipment.number}-{kind}.pdf"
