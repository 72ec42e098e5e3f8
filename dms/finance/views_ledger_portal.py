"""The distributor's "Account" in the portal: balances, open invoices, payments, credit
notes, and each invoice with its PDF. Everything is looked up within the user's own
distributor, so another's invoice is a 404."""

from django.shortcuts import get_object_or_404, render

from dms.core.lists import paginate
from dms.core.pdf import pdf_response
from dms.core.permissions import portal_view

from . import documents_ledger, selectors_ledger
from .models import Invoice

CSS = "finance/ledger.css"


@portal_view()
def account(request):
    distributor_id = request.user.distributor_id
    tab = request.GET.get("tab") or "invoices"
    if tab == "payments":
        items = selectors_ledger.payments().filter(distributor_id=distributor_id).order_by("-received_on", "-pk")
    elif tab == "credit_notes":
        items = selectors_ledger.credit_notes().filter(distributor_id=distributor_id).order_by("-created_at")
    elif tab == "history":
        items = selectors_ledger.history(distributor_id)
    else:
        tab = "invoices"
        items = selectors_ledger.invoices().filter(distributor_id=distributor_id).exclude(
            status=Invoice.Status.CANCELLED).order_by("-issue_date", "-pk")
    context = {
        "nav": "account", "css": CSS, "tab": tab,
        "account": get_object_or_404(selectors_ledger.accounts(), distributor_id=distributor_id),
        "totals": selectors_ledger.open_totals(distributor_id),
        "page_obj": paginate(request, items),
    }
    return render(request, "finance/ledger/portal_account.html", context)


def _own_invoice(request, pk) -> Invoice:
    return get_object_or_404(selectors_ledger.invoices().prefetch_related("lines", "allocations__payment",
                                                                         "allocations__credit_note"),
                             pk=pk, distributor_id=request.user.distributor_id)


@portal_view()
def invoice(request, pk):
    inv = _own_invoice(request, pk)
    return render(request, "finance/ledger/portal_invoice.html", {"nav": "account", "css": CSS, "invoice": inv})


@portal_view()
def invoice_pdf(request, pk):
    inv = _own_invoice(request, pk)
    return pdf_response(documents_ledger.invoice_pdf(inv), documents_ledger.filename(inv))
