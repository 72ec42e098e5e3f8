"""Finance URL patterns of the ledger part (merged by urls.py and portal_urls.py)."""

from django.urls import path

from . import views_ledger as v
from . import views_ledger_portal as p

urlpatterns = [
    path("accounts/", v.account_list, name="accounts"),
    path("accounts/<int:distributor_pk>/", v.account_detail, name="account"),
    path("accounts/<int:distributor_pk>/allocate/", v.prepayment_allocate, name="prepayment_allocate"),
    path("invoices/", v.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", v.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", v.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/cancel/", v.invoice_cancel, name="invoice_cancel"),
    path("payments/", v.payment_list, name="payments"),
    path("payments/new/", v.payment_create, name="payment_create"),
    path("payments/open-invoices/", v.payment_open_invoices, name="payment_open_invoices"),
    path("payments/<int:pk>/", v.payment_detail, name="payment"),
    path("payments/<int:pk>/reverse/", v.payment_reverse, name="payment_reverse"),
    path("credit-notes/", v.credit_note_list, name="credit_notes"),
    path("credit-notes/new/", v.credit_note_create, name="credit_note_create"),
    path("credit-notes/<int:pk>/", v.credit_note_detail, name="credit_note"),
    path("returns/<int:pk>/credit/", v.return_credit, name="return_credit"),
    path("journal/", v.journal, name="journal"),
    path("journal/<int:pk>/reverse/", v.journal_reverse, name="journal_reverse"),
    path("bank/", v.bank_imports, name="bank_imports"),
    path("bank/template.xlsx", v.bank_template, name="bank_template"),
    path("bank/<int:pk>/", v.bank_import_detail, name="bank_import"),
    path("bank/lines/<int:pk>/", v.bank_line, name="bank_line"),
]
portal_urlpatterns = [
    path("account/", p.account, name="account"),
    path("account/invoices/<int:pk>/", p.invoice, name="invoice"),
    path("account/invoices/<int:pk>/pdf/", p.invoice_pdf, name="invoice_pdf"),
]
