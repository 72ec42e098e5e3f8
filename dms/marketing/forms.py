"""Forms of the feedback and materials pages. They parse input only; the services check
the rules and their field errors are put back with ``apply_service_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dms.catalog.models import Product
from dms.distributors.forms import region_levels
from dms.distributors.models import Tier

from .models import ActionTag, Feedback, Material


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.sku} {obj.name} {obj.specification}".strip()


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Feedback.Category.choices])
    title = forms.CharField(label=_("Title"), max_length=120)
    product = ProductChoiceField(label=_("Product"), required=False, queryset=Product.objects.order_by("sku"),
                                 help_text=_("Optional: the product this is about."))
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}))
    rating = forms.TypedChoiceField(
        label=_("Importance"), coerce=int, initial=3, widget=forms.RadioSelect(attrs={"class": "rating"}),
        choices=[(i, str(i)) for i in range(1, 6)],
        help_text=_("1 = minor, 5 = very important for your market."))
    region_code = forms.CharField(label=_("Region"), required=False, max_length=6,
                                  widget=forms.HiddenInput(attrs={"data-region-value": ""}))
    competitor_name = forms.CharField(label=_("Competitor"), max_length=64, required=False)
    competitor_price = forms.DecimalField(label=_("Competitor price (CNY)"), required=False, min_value=0,
                                          max_digits=18, decimal_places=2)
    attachments = MultipleFileField(label=_("Photos or PDF"), required=False,
                                    help_text=_("Up to 5 files: JPG, PNG or PDF."))

    def region_levels(self):
        """Province and city selects for the region picker."""
        code = self["region_code"].value() or ""
        levels = region_levels(code)[:2]
        for level, label in zip(levels, (_("Province"), _("City")), strict=True):
            level["label"] = label
        return levels


class TriageForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Feedback.Priority.choices)
    action_tags = forms.ModelMultipleChoiceField(label=_("Actions"), required=False,
                                                 queryset=ActionTag.objects.filter(is_active=True),
                                                 widget=forms.CheckboxSelectMultiple)


class RespondForm(forms.Form):
    response = forms.CharField(label=_("Response to the distributor"), max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 4}))


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=Material.Category.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.CharField(label=_("Tags"), max_length=200, required=False,
                           help_text=_("Separate tags with commas."))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, image (JPG, PNG, WebP, GIF) or video (MP4, MOV, WebM)."))
    link = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https",
                          help_text=_("An address to open instead of a file (e.g. a video platform)."))
    tiers = forms.ModelMultipleChoiceField(label=_("Tiers"), required=False, queryset=Tier.objects.all(),
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("Leave all unticked for every tier."))
    is_published = forms.BooleanField(label=_("Published (distributors can see it)"), required=False)

    @classmethod
    def for_material(cls, material: Material, data=None, files=None):
        initial = {"title": material.title, "category": material.category, "description": material.description,
                   "tags": material.tags, "link": material.link, "tiers": list(material.tiers.all()),
                   "is_published": material.is_published}
        return cls(data, files, initial=initial)
