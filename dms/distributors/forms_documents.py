"""Forms of the back-office pages for qualifications, contracts and reviews.

They only parse input; the services (``dms.distributors.services``) validate the rest
and do every write.
"""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Contract, Qualification

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _document_help():
    return _("PDF, JPG or PNG, at most %(limit)s.") % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}


class DocumentFileInput(forms.FileInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": DOCUMENT_ACCEPT, **(attrs or {})})


class DateRangeMixin:
    start_field = "valid_from"
    end_field = "valid_to"

    def clean(self):
        data = super().clean()
        start, end = data.get(self.start_field), data.get(self.end_field)
        if start and end and end < start:
            self.add_error(self.end_field, _("The end date is before the start date."))
        return data


class QualificationForm(DateRangeMixin, forms.Form):
    type = forms.ChoiceField(label=_("type"), choices=Qualification.Type.choices)
    number = forms.CharField(label=_("number"), max_length=64)
    issuer = forms.CharField(label=_("issuer"), max_length=128, required=False)
    valid_from = forms.DateField(label=_("valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("valid to"), required=False, widget=DATE,
                               help_text=_("Leave empty if the document does not expire."))
    file = forms.FileField(label=_("file"), required=False, widget=DocumentFileInput)
    replaces = forms.ModelChoiceField(label=_("replaces"), queryset=None, required=False,
                                      help_text=_("The older document this one supersedes, if any."))

    def __init__(self, *args, distributor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _document_help()
        self.fields["replaces"].queryset = distributor.qualifications.order_by("type", "-valid_to")
        self.fields["replaces"].empty_label = _("— none —")


class VerifyQualificationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Verify")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("comment"), max_length=255, required=False)


CONTRACT_FIELDS = [
    "number", "type", "start_date", "end_date", "territory", "product_lines", "annual_target_amount",
    "rebate_terms", "payment_terms", "deposit_amount",
]


class ContractForm(DateRangeMixin, forms.Form):
    start_field = "start_date"
    end_field = "end_date"

    number = forms.CharField(label=_("contract number"), max_length=32, required=False,
                             help_text=_("Leave empty to generate one."))
    type = forms.ChoiceField(label=_("type"), choices=Contract.Type.choices, initial=Contract.Type.DISTRIBUTION)
    start_date = forms.DateField(label=_("start date"), widget=DATE)
    end_date = forms.DateField(label=_("end date"), widget=DATE)
    territory = forms.CharField(label=_("territory"), max_length=255, required=False)
    product_lines = forms.CharField(label=_("product lines"), max_length=255, required=False)
    annual_target_amount = forms.DecimalField(label=_("annual target"), max_digits=18, decimal_places=2,
                                              min_value=0, required=False)
    deposit_amount = forms.DecimalField(label=_("deposit"), max_digits=18, decimal_places=2, min_value=0,
                                        required=False)
    payment_terms = forms.CharField(label=_("payment terms"), max_length=128, required=False)
    rebate_terms = forms.CharField(label=_("rebate terms"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    signed_file = forms.FileField(label=_("signed file"), required=False, widget=DocumentFileInput)
    activate = forms.BooleanField(label=_("Activate now"), required=False,
                                  help_text=_("Otherwise the contract is saved as a draft."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_file"].help_text = _document_help()

    GROUPS = [
        (_("Agreement"), ["number", "type", "start_date", "end_date"]),
        (_("Commercial terms"), ["territory", "product_lines", "annual_target_amount", "deposit_amount",
                                 "payment_terms", "rebate_terms"]),
        (_("Signed copy"), ["signed_file", "activate"]),
    ]

    def groups(self):
        """(legend, bound fields) per fieldset of the page."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.GROUPS]

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in CONTRACT_FIELDS}


class ContractRenewForm(ContractForm):
    """The follow-on contract: activated at once, the old one becomes ``renewed``."""

    def __init__(self, *args, old, **kwargs):
        kwargs.setdefault("initial", renewal_initial(old))
        super().__init__(*args, **kwargs)
        del self.fields["activate"]


def renewal_initial(old) -> dict:
    import datetime as dt

    from dateutil.relativedelta import relativedelta

    initial = {f: getattr(old, f) for f in CONTRACT_FIELDS if f != "number"}
    initial["start_date"] = old.end_date + dt.timedelta(days=1)
    initial["end_date"] = old.end_date + relativedelta(years=1)
    return initial


class ReviewDecisionForm(forms.Form):
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
