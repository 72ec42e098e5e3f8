"""Back-office forms for distributors, contacts and portal users.

Forms only parse input; the services validate the business rules and their
``ValidationFailed.fields`` are put back onto the form with ``dms.core.forms.apply_service_errors``.
Querysets are built in ``__init__`` (per request, inside the tenant scope).
"""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.core import regions

from .models import Distributor, Tier
from .validators import validate_phone

TAG_SPLIT = re.compile(r"[,，、;；]")


def split_tags(value: str) -> list[str]:
    seen, out = set(), []
    for part in TAG_SPLIT.split(value or ""):
        name = part.strip()[:32]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def region_levels(code: str) -> list[dict]:
    """Options and selection of the three region selects for ``code``."""
    chosen = [c for c, _n in regions.path(code or "")]
    levels = []
    options = regions.provinces()
    for level in range(3):
        selected = chosen[level] if level < len(chosen) else ""
        levels.append({"level": level, "options": options, "selected": selected})
        options = regions.children(selected) if selected else []
    return levels


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name} · {obj.tier.name}"


def channel_managers():
    return (
        User.objects.filter(groups__name=Role.CHANNEL_MANAGER, distributor__isnull=True, is_active=True)
        .order_by("username")
        .distinct()
    )


class DistributorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    legal_name = forms.CharField(label=_("Legal name"), max_length=128, required=False,
                                 help_text=_("As on the business licence, if different."))
    credit_code = forms.CharField(label=_("Unified Social Credit Code"), max_length=32,
                                  help_text=_("18 characters, e.g. 91440300708461136T."))
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, empty_label=None)
    parent = ParentChoiceField(label=_("Parent distributor"), queryset=None, required=False,
                               help_text=_("Required below the first tier; must be of a higher tier."))
    region_code = forms.CharField(label=_("Region"), required=False, max_length=6,
                                  widget=forms.HiddenInput(attrs={"data-region-value": ""}))
    sales_territory = forms.CharField(label=_("Sales territory"), max_length=128, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=128, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=64, required=False)
    channel_manager = ManagerChoiceField(label=_("Channel manager"), queryset=None, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=255, required=False,
                           help_text=_("Separate tags with commas, e.g. KA, 华南."))
    contact_name = forms.CharField(label=_("Contact name"), max_length=64)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False,
                                    validators=[validate_phone])
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

    def __init__(self, *args, instance: Distributor | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name, "legal_name": instance.legal_name, "credit_code": instance.credit_code,
                "tier": instance.tier_id, "parent": instance.parent_id, "region_code": instance.region_code,
                "sales_territory": instance.sales_territory, "address": instance.address,
                "bank_name": instance.bank_name, "bank_account": instance.bank_account,
                "channel_manager": instance.channel_manager_id,
                "tags": ", ".join(t.name for t in instance.tags.all()),
            }
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.all()
        max_level = max((t.level for t in self.fields["tier"].queryset), default=1)
        parents = (
            Distributor.objects.select_related("tier")
            .filter(tier__level__lt=max_level)
            .exclude(status=Distributor.Status.TERMINATED)
            .order_by("tier__level", "code")
        )
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents
        managers = channel_managers()
        if instance is not None and instance.channel_manager_id:
            # keep the current manager selectable even if he no longer has the role
            managers = User.objects.filter(
                Q(pk__in=managers.values("pk")) | Q(pk=instance.channel_manager_id)).order_by("username")
        self.fields["channel_manager"].queryset = managers
        if instance is not None:  # contacts are edited in their own section
            for name in self.CONTACT_FIELDS:
                del self.fields[name]

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        regions.validate_region(code)
        return code

    def clean(self):
        data = super().clean()
        tier, parent = data.get("tier"), data.get("parent")
        if tier and parent and parent.tier.level >= tier.level:
            self.add_error("parent", _("The parent must be of a higher tier than %(tier)s.") % {"tier": tier.name})
        return data

    @property
    def region_levels(self):
        value = self["region_code"].value() or ""
        return region_levels(value)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        data = {k: d[k] for k in (
            "name", "legal_name", "credit_code", "tier", "parent", "region_code", "sales_territory", "address",
            "bank_name", "bank_account", "channel_manager",
        )}
        data["tags"] = split_tags(d["tags"])
        if self.instance is None and d.get("contact_name"):
            data["contacts"] = [{"name": d["contact_name"], "phone": d.get("contact_phone", ""),
                                 "email": d.get("contact_email", "")}]
        return data

    def field_groups(self):
        groups = [
            (_("Company"), ["name", "legal_name", "credit_code"]),
            (_("Network"), ["tier", "parent", "channel_manager", "tags"]),
            (_("Location"), ["sales_territory", "address"]),
            (_("Bank"), ["bank_name", "bank_account"]),
        ]
        if self.instance is None:
            groups.append((_("Primary contact"), list(self.CONTACT_FIELDS)))
        return [(title, [self[n] for n in names]) for title, names in groups]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, validators=[validate_phone])
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class PortalUserForm(forms.Form):
    ROLE_CHOICES = [
        (Role.DISTRIBUTOR_ADMIN.value, Role.DISTRIBUTOR_ADMIN.label),
        (Role.DISTRIBUTOR_STAFF.value, Role.DISTRIBUTOR_STAFF.label),
    ]
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("Without a password, a link to choose one is sent to this address."))
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.DISTRIBUTOR_STAFF.value)
    password = forms.CharField(label=_("Initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload
