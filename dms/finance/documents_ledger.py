"""The invoice as a PDF (Chinese fonts from dms.core.pdf). Callers pass an invoice they
already fetched within the user's scope."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.pdf import code128_svg, render_pdf

from .models import Invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    invoice = (Invoice.objects.select_related("distributor", "order", "shipment")
               .prefetch_related("lines").get(pk=invoice.pk))
    return render_pdf("finance/ledger/pdf/invoice.html", {
        "invoice": invoice,
        "distributor": invoice.distributor,
        "lines": list(invoice.lines.all()),
        "printed_at": timezone.localtime(),
        "company_name": getattr(settings, "COMPANY_NAME", "") or _("Distributor Management System"),
        "company_address": getattr(settings, "COMPANY_ADDRESS", ""),
        "barcode": code128_svg(invoice.number),
    })


def filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
