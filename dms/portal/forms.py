"""Forms of the distributor portal. They parse and check input; the services write."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from dms.accounts.roles import Role
from dms.core import regions
from dms.distributors.models import Qualification
from dms.distributors.validators import normalize_uscc, validate_phone, validate_uscc


def file_help():
    return _("PDF, JPG or PNG, up to %(size)s.") % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ContactForm(forms.Form):
    title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class QualificationUploadForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=Qualification.Type.choices)
    number = forms.CharField(label=_("Document number"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=128, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(
        label=_("Valid to"), required=False, widget=DateInput(),
        help_text=_("Leave empty if the document does not expire."),
    )
    file = forms.FileField(
        label=_("Scan or photo of the document"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"), queryset=None, required=False,
        empty_label=_("— nothing, this is a new document —"),
        help_text=_("When this renews an existing document, choose it here."),
    )

    def __init__(self, *args, replaceable, **kwargs):
        """``replaceable``: the distributor's own qualifications (built per request)."""
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()
        self.fields["replaces"].queryset = replaceable
        self.fields["replaces"].label_from_instance = self._replace_label

    @staticmethod
    def _replace_label(q):
        until = q.valid_to.isoformat() if q.valid_to else _("no end date")
        return f"{q.get_type_display()} · {q.number} · {until}"

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        return data


class PortalUserForm(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150,
        help_text=_("Used to log in. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.DISTRIBUTOR_STAFF.value, Role.DISTRIBUTOR_STAFF.label),
                 (Role.DISTRIBUTOR_ADMIN.value, Role.DISTRIBUTOR_ADMIN.label)],
        help_text=_("Administrators can also manage users and edit contacts."),
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class RegisterForm(forms.Form):
    """A company's application to become a distributor."""

    name = forms.CharField(label=_("Company name"), max_length=128, help_text=_("The name you trade under."))
    legal_name = forms.CharField(
        label=_("Legal name"), max_length=128, required=False, help_text=_("As on the business licence, if different.")
    )
    credit_code = forms.CharField(
        label=_("Unified Social Credit Code"), max_length=32,
        help_text=_("18 characters, on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    region_code = forms.CharField(label=_("Region"), max_length=6, widget=forms.HiddenInput(attrs={"data-region-value": ""}))
    address = forms.CharField(label=_("Address"), max_length=255)
    parent_code = forms.CharField(
        label=_("Parent distributor code"), max_length=16, required=False,
        help_text=_("Only for second-tier applicants: the code of the distributor you will buy from."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=64)
    contact_title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    contact_phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"), help_text=_("Your portal account is sent to this address once you are approved."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    licence_number = forms.CharField(label=_("Business licence number"), max_length=64)
    licence_valid_to = forms.DateField(
        label=_("Licence valid to"), required=False, widget=DateInput(),
        help_text=_("Leave empty if the licence has no end date."),
    )
    licence_file = forms.FileField(
        label=_("Business licence scan or photo"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    # service field name -> form field name
    SERVICE_FIELDS = {
        "phone": "contact_phone", "email": "contact_email", "title": "contact_title",
        "number": "licence_number", "valid_to": "licence_valid_to", "file": "licence_file",
        "parent": "parent_code", "region_code": "region_code",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence_file"].help_text = file_help()

    def clean_credit_code(self):
        code = normalize_uscc(self.cleaned_data["credit_code"])
        validate_uscc(code)
        return code

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        regions.validate_region(code)
        return code

    def region_levels(self):
        """The three pickers (province, city, district): their options and choice,
        pre-filled from the submitted region so a re-displayed form keeps it."""
        code = (self["region_code"].value() or "").strip()
        chosen = [c for c, _n in regions.path(code)]
        levels, options = [], regions.provinces()
        for level, label in enumerate((_("Province"), _("City"), _("District"))):
            selected = chosen[level] if level < len(chosen) else ""
            levels.append({"level": level, "label": label, "options": options, "selected": selected})
            options = regions.children(selected) if selected else []
        return levels

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"], "legal_name": d["legal_name"], "credit_code": d["credit_code"],
            "region_code": d["region_code"], "address": d["address"], "parent_code": d["parent_code"],
            "contact": {"name": d["contact_name"], "title": d["contact_title"], "phone": d["contact_phone"],
                        "email": d["contact_email"]},
            "licence": {"number": d["licence_number"], "valid_to": d["licence_valid_to"]},
            "licence_file": d["licence_file"],
        }
