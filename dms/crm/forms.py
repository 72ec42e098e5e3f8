"""Portal forms for customers, contacts, follow-ups, needs and the import.

Forms only parse input; the services check the rules and their ``ValidationFailed.fields``
are put back on the form (``dms.core.forms.apply_service_errors``).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.accounts.models import User
from dms.core import regions
from dms.distributors.forms import region_levels
from dms.portal.forms import DateInput

from .models import Customer, CustomerNeed, FollowUp


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    type = forms.ChoiceField(label=_("Type"), choices=Customer.Type.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Customer.Status.choices)
    region_code = forms.CharField(label=_("Region"), required=False, max_length=6,
                                  widget=forms.HiddenInput(attrs={"data-region-value": ""}))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=255,
                           help_text=_("Separate with commas, e.g. KA, 社区店."))
    owner = OwnerChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False,
                             help_text=_("Who looks after this customer and gets the follow-up reminders."))
    last_order_date = forms.DateField(label=_("Last order"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    allow_duplicate = forms.BooleanField(label=_("Save anyway: it is a different customer"), required=False)

    def __init__(self, *args, distributor_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(distributor_id=distributor_id, is_active=True
                                                            ).order_by("username")

    @classmethod
    def initial_for(cls, customer) -> dict:
        return {"name": customer.name, "type": customer.type, "status": customer.status,
                "region_code": customer.region_code, "address": customer.address,
                "tags": ", ".join(t.name for t in customer.tags.all()), "owner": customer.owner_id,
                "last_order_date": customer.last_order_date, "notes": customer.notes}

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        regions.validate_region(code)
        return code

    def region_levels(self):
        levels = region_levels(self["region_code"].value() or "")
        for level, label in zip(levels, (_("Province"), _("City"), _("District")), strict=True):
            level["label"] = label
        return levels

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["tags"] = [t for t in (d.get("tags") or "").replace("，", ",").split(",") if t.strip()]
        return d


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


ContactFormSet = forms.formset_factory(ContactForm, extra=2, max_num=10)


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=FollowUp.Channel.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    next_date = forms.DateField(label=_("Next follow-up date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate(), "channel": FollowUp.Channel.PHONE})
        super().__init__(*args, **kwargs)


class NeedForm(forms.Form):
    need = forms.CharField(label=_("Need"), max_length=255)
    category = forms.ChoiceField(label=_("Category"), choices=CustomerNeed.Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=CustomerNeed.Priority.choices,
                                 initial=CustomerNeed.Priority.MEDIUM)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    allow_duplicates = forms.BooleanField(
        label=_("Import rows that look like existing customers anyway"), required=False)
