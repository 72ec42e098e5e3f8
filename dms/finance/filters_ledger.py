"""Filters of the ledger lists (pages, Excel exports and the API share them)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Account, CreditNote, Invoice, JournalEntry, JournalLine, Payment
from .selectors_ledger import overdue_filter


class InvoiceFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Invoice.Status.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    date_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte", label=_("To"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due by"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    order = django_filters.NumberFilter(field_name="order_id", label=_("Order"))

    class Meta:
        model = Invoice
        fields = ["search", "status", "overdue", "date_from", "date_to", "due_before", "distributor", "order"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(order__number__icontains=v) | Q(shipment__number__icontains=v)
                         | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))

    def filter_overdue(self, qs, name, value):
        return qs if value is None else overdue_filter(qs, value)


INVOICE_ORDERING = {"number": "number", "issued": "issue_date", "due": "due_date", "distributor": "distributor__name",
                    "total": "total_amount", "open": "open_total", "status": "status"}


class PaymentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    method = django_filters.ChoiceFilter(choices=Payment.Method.choices, label=_("Method"))
    reversed = django_filters.BooleanFilter(field_name="reversed_at", lookup_expr="isnull", exclude=True,
                                            label=_("Reversed"))
    date_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("To"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Payment
        fields = ["search", "method", "reversed", "date_from", "date_to", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(reference__icontains=v) | Q(distributor__name__icontains=v)
                         | Q(distributor__code__icontains=v) | Q(allocations__invoice__number__icontains=v)).distinct()


PAYMENT_ORDERING = {"number": "number", "received": "received_on", "distributor": "distributor__name",
                    "amount": "amount", "method": "method"}


class CreditNoteFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=CreditNote.Kind.choices, label=_("Kind"))
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = CreditNote
        fields = ["search", "kind", "date_from", "date_to", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(reason__icontains=v) | Q(distributor__name__icontains=v)
                         | Q(distributor__code__icontains=v) | Q(invoice__number__icontains=v)
                         | Q(return_request__number__icontains=v))


CREDIT_NOTE_ORDERING = {"number": "number", "created": "created_at", "distributor": "distributor__name",
                        "total": "total_amount", "kind": "kind"}


class JournalEntryFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=JournalEntry.Kind.choices, label=_("Kind"))
    date_from = django_filters.DateFilter(field_name="posted_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="posted_at", lookup_expr="date__lte", label=_("To"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = JournalEntry
        fields = ["search", "kind", "date_from", "date_to", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(reference__icontains=v) | Q(memo__icontains=v)
                         | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


JOURNAL_ORDERING = {"number": "number", "posted": "posted_at", "distributor": "distributor__name", "kind": "kind"}


class JournalLineFilter(django_filters.FilterSet):
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    account = django_filters.ChoiceFilter(choices=Account.choices)
    kind = django_filters.ChoiceFilter(field_name="entry__kind", choices=JournalEntry.Kind.choices)
    entry = django_filters.CharFilter(field_name="entry__number")
    date_from = django_filters.DateFilter(field_name="posted_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="posted_at", lookup_expr="date__lte")

    class Meta:
        model = JournalLine
        fields = ["distributor", "account", "kind", "entry", "date_from", "date_to"]
