"""Back-office forms for shipments. Forms only parse input; the services check the rules
and their field errors are put back with ``dms.core.forms.apply_service_errors``."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Carrier


class ShipmentLinesForm(forms.Form):
    """One quantity field per open order line (``line_<order line id>``); 0 leaves it out."""

    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for row in lines:
            if row["open"] > 0:
                self.fields[f"line_{row['line'].pk}"] = forms.IntegerField(
                    label=row["product"].sku, min_value=0, max_value=row["open"], initial=row["open"],
                    required=False, widget=forms.NumberInput(attrs={"class": "qty", "inputmode": "numeric"}))

    def rows(self):
        for row in self.lines:
            name = f"line_{row['line'].pk}"
            yield {**row, "field": self[name] if name in self.fields else None}

    def clean(self):
        data = super().clean()
        if not self.errors and not self.quantities():
            raise forms.ValidationError(_("Enter a quantity for at least one line."))
        return data

    def quantities(self) -> dict[int, int]:
        """``{product id: quantity}`` for the lines with a quantity above 0."""
        out = {}
        for row in self.lines:
            qty = self.cleaned_data.get(f"line_{row['line'].pk}")
            if qty:
                out[row["product"].pk] = qty
        return out


class DispatchForm(forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.filter(is_active=True))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class TrackingEventForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    location = forms.CharField(label=_("Location"), max_length=128, required=False)
    description = forms.CharField(label=_("Description"), max_length=255)
    is_delivery = forms.BooleanField(label=_("Delivered to the consignee"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kwargs)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("The time cannot be in the future."))
        return value


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class TrackingImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a CSV file (.csv)."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
