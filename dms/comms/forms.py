"""Forms parse input only; the services check the rules (their field errors are put back
with ``dms.core.forms.apply_service_errors``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dms.core.regions import provinces
from dms.distributors.models import Distributor, Tier
from dms.logistics.models import Shipment
from dms.orders.models import Order

from .models import Announcement

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ACCEPT = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class AnnouncementForm(forms.Form):
    AUDIENCE = [("all", _("All distributors")), ("selected", _("Only the tiers, provinces and distributors below"))]

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 10}))
    body_format = forms.ChoiceField(label=_("Format"), choices=Announcement.Format.choices,
                                    initial=Announcement.Format.PLAIN)
    pinned = forms.BooleanField(label=_("Pin to the top"), required=False)
    publish_at = forms.DateTimeField(label=_("Publish at"), required=False, widget=DATETIME,
                                     help_text=_("Empty: when you publish it."))
    expires_at = forms.DateTimeField(label=_("Expires at"), required=False, widget=DATETIME,
                                     help_text=_("Empty: never."))
    audience = forms.ChoiceField(label=_("Who receives it"), choices=AUDIENCE, initial="all",
                                 widget=forms.RadioSelect)
    tiers = forms.ModelMultipleChoiceField(label=_("Tiers"), queryset=Tier.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    provinces = forms.MultipleChoiceField(label=_("Provinces"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 8}))
    distributors = forms.ModelMultipleChoiceField(label=_("Distributors"), queryset=Distributor.objects.none(),
                                                  required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    attachments = MultipleFileField(label=_("Attachments"),
                                    help_text=_("PDF, images or Office documents; several at once."))

    def __init__(self, *args, announcement=None, **kwargs):
        if announcement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": announcement.title, "body": announcement.body, "body_format": announcement.body_format,
                "pinned": announcement.pinned, "publish_at": announcement.publish_at,
                "expires_at": announcement.expires_at,
                "audience": "all" if announcement.target_all else "selected",
                "tiers": list(announcement.tiers.all()), "provinces": announcement.province_codes,
                "distributors": list(announcement.distributors.all()),
            }
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = provinces()
        self.fields["distributors"].queryset = Distributor.objects.filter(
            status=Distributor.Status.ACTIVE).order_by("code")
        self.announcement = announcement
        if announcement is not None:
            self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
                label=_("Remove attachments"), queryset=announcement.attachments.all(), required=False,
                widget=forms.CheckboxSelectMultiple)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_all"] = data.pop("audience") == "all"
        data["tiers"] = [t.pk for t in data["tiers"]]
        data["distributors"] = [d.pk for d in data["distributors"]]
        data.pop("attachments", None)
        data.pop("remove_attachments", None)
        return data


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("Attachments"))


class StaffThreadForm(MessageForm):
    distributor = forms.ModelChoiceField(label=_("Distributor"), queryset=Distributor.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    order = forms.CharField(label=_("About order (number)"), required=False, max_length=32)
    shipment = forms.CharField(label=_("About shipment (number)"), required=False, max_length=32)
    field_order = ["distributor", "subject", "order", "shipment", "body", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = Distributor.objects.filter(
            status__in=Distributor.LOGIN_STATUSES).order_by("code")

    def clean_order(self):
        number = self.cleaned_data["order"].strip()
        if not number:
            return None
        order = Order.objects.filter(number=number).first()  # scoped to the caller's distributors
        if order is None:
            raise forms.ValidationError(_("No order has this number."))
        return order

    def clean_shipment(self):
        number = self.cleaned_data["shipment"].strip()
        if not number:
            return None
        shipment = Shipment.objects.filter(number=number).first()
        if shipment is None:
            raise forms.ValidationError(_("No shipment has this number."))
        return shipment


class PortalThreadForm(MessageForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    order = forms.ModelChoiceField(label=_("About an order"), queryset=Order.objects.none(), required=False)
    shipment = forms.ModelChoiceField(label=_("About a shipment"), queryset=Shipment.objects.none(), required=False)
    field_order = ["subject", "order", "shipment", "body", "attachments"]

    def __init__(self, *args, distributor_id, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("order", Order), ("shipment", Shipment)):
            recent = model.objects.filter(distributor_id=distributor_id).order_by("-id").values_list("pk", flat=True)
            self.fields[name].queryset = model.objects.filter(pk__in=list(recent[:50])).order_by("-id")
