"""Back-office forms of the ledger part. They only parse input: amounts stay text for
``ledger.parse_amount`` in the services, whose field errors are put back on the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.distributors.models import Distributor

from .models import CreditNote, Payment

ALLOC_PREFIX = "alloc_"


def distributor_field(**kwargs):
    """The queryset is set per request (``ScopedDistributors``): the scope is not active at import."""
    return forms.ModelChoiceField(label=_("Distributor"), queryset=None, **kwargs)


class ScopedDistributors:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = Distributor.objects.order_by("code")


class PaymentForm(ScopedDistributors, forms.Form):
    distributor = distributor_field()
    amount = forms.CharField(label=_("Amount"), max_length=24,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.BANK_TRANSFER)
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False,
                                help_text=_("Bank transaction number or the payer's note."))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def allocations_from(data) -> list[tuple[str, str]]:
    """The allocation rows of a posted form: ``alloc_<invoice id>`` = amount (blank: none)."""
    rows = []
    for key, value in data.items():
        if key.startswith(ALLOC_PREFIX) and str(value).strip():
            rows.append((key.removeprefix(ALLOC_PREFIX), value))
    return rows


class CreditNoteForm(ScopedDistributors, forms.Form):
    distributor = distributor_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=[(K.value, K.label) for K in (
        CreditNote.Kind.PRICE_ADJUSTMENT, CreditNote.Kind.REBATE)])
    amount = forms.CharField(label=_("Amount (VAT included)"), max_length=24,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
    invoice = forms.CharField(label=_("Invoice number"), max_length=24, required=False,
                              help_text=_("For a price adjustment: the invoice it corrects (optional)."))
    reason = forms.CharField(label=_("Reason"), max_length=255)


class BankUploadForm(forms.Form):
    file = forms.FileField(label=_("Bank statement (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) file."))
        return upload


class ReverseForm(forms.Form):
    memo = forms.CharField(label=_("Why"), max_length=200, required=False)
