"""Back-office forms for the catalog. They only parse input: the business rules live in
``dms.catalog.services`` and their field errors are put back onto the form with
``dms.core.forms.apply_service_errors``. Querysets are built per request (inside the
tenant scope)."""

from django import forms
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.distributors.models import Distributor, Tier

from .models import Category, PriceList, Product, Promotion
from .selectors import category_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.path


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.sku} {obj.name}"


class ProductMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.sku} {obj.name}" + (f" ({obj.specification})" if obj.specification else "")


class DistributorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class ProductForm(forms.ModelForm):
    image = forms.FileField(label=_("Image"), required=False,
                            help_text=_("JPG, PNG, WebP or GIF, checked by its content."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)

    class Meta:
        model = Product
        fields = ["sku", "name", "specification", "unit", "pack_size", "barcode", "category", "brand", "base_price",
                  "vat_rate", "moq", "multiple", "description"]
        field_classes = {"category": CategoryField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent")
        self.fields["category"].choices = [("", "---------"), *category_choices()]
        if not self.instance.pk or not self.instance.image:
            del self.fields["remove_image"]

    GROUPS = [
        (_("Product"), ["sku", "name", "specification", "barcode", "category", "brand"]),
        (_("Units, price and ordering"), ["unit", "pack_size", "base_price", "vat_rate", "moq", "multiple"]),
    ]

    def field_groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def validate_unique(self):
        """Uniqueness is the service's check (it also sees a race)."""

    def _post_clean(self):
        """The service validates the model; the form only parses."""

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("remove_image", None)
        data.pop("image", None)
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    parent = CategoryField(label=_("Parent category"), queryset=Category.objects.none(), required=False,
                           empty_label=_("(top level)"))
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, required=False, initial=0)

    def __init__(self, *args, exclude_ids=(), choices=None, **kwargs):
        """``choices``: the parent choices (``category_choices()``) when the caller has them."""
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.select_related("parent")
        self.fields["parent"].choices = [("", _("(top level)")),
                                         *[c for c in choices or category_choices() if c[0] not in exclude_ids]]


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=PriceList.Kind.choices)
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all(), required=False,
                                  help_text=_("For a tier price list."))
    distributor = DistributorChoiceField(label=_("Distributor"), queryset=Distributor.objects.none(), required=False,
                                         help_text=_("For a distributor price list."))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, required=False,
                               help_text=_("Leave empty for no end date."))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = Distributor.objects.select_related("tier").order_by("code")
        self.fields["valid_from"].initial = timezone.localdate()


class PriceItemForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none(), to_field_name="sku",
                                 error_messages={"invalid_choice": _("No product has this SKU.")},
                                 widget=forms.TextInput(attrs={"list": "product-skus", "autocomplete": "off",
                                                               "placeholder": _("SKU")}))
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=18, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.all()

    def clean_product(self):
        return self.cleaned_data["product"]

    def full_clean(self):
        # SKUs are stored upper-case; accept what people type
        if self.is_bound and self.data.get(self.add_prefix("product")):
            data = self.data.copy()
            data[self.add_prefix("product")] = data[self.add_prefix("product")].strip().upper()
            self.data = data
        super().full_clean()


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    rule = forms.ChoiceField(label=_("Rule"), choices=Promotion.Rule.choices)
    value = forms.DecimalField(label=_("Percentage off / fixed price"), required=False, max_digits=18,
                               decimal_places=2, help_text=_("Percentage off: 10 means 10 percent off. Fixed price: the unit "
                                                             "price during the promotion."))
    buy_quantity = forms.IntegerField(label=_("Buy N"), required=False, min_value=0)
    free_quantity = forms.IntegerField(label=_("Get M free"), required=False, min_value=0)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    products = ProductMultipleField(label=_("Products"), queryset=Product.objects.none(),
                                    widget=forms.CheckboxSelectMultiple(attrs={"class": "product-checks"}))
    tiers = forms.ModelMultipleChoiceField(label=_("Tiers"), queryset=Tier.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("Leave empty for every tier."))
    is_active = forms.BooleanField(label=pgettext_lazy("catalog", "Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = list(self.initial.get("products") or [])
        # the chosen products first, so they are visible without scrolling
        self.fields["products"].queryset = (
            Product.objects.filter(Q(status=Product.Status.ACTIVE) | Q(pk__in=chosen))
            .annotate(chosen=Case(When(pk__in=chosen, then=0), default=1)).order_by("chosen", "sku")
        )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["value"] = data.get("value") if data.get("value") is not None else 0
        data["buy_quantity"] = data.get("buy_quantity") or 0
        data["free_quantity"] = data.get("free_quantity") or 0
        return data


class PriceCheckForm(forms.Form):
    distributor = DistributorChoiceField(label=_("Distributor"), queryset=Distributor.objects.none())
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    day = forms.DateField(label=_("On"), widget=DATE, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = Distributor.objects.select_related("tier").order_by("code")
        self.fields["product"].queryset = Product.objects.order_by("sku")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
