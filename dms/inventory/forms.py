"""Forms of the inventory back office, and the line editor's parser.

The line editor posts repeated ``product`` (SKU or barcode) and ``quantity`` fields, one
pair per row; blank rows are ignored.
"""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.catalog.models import Product
from dms.core import regions

from .models import ReorderRule, Warehouse
from .services import RULE_FIELDS

BLANK_ROWS = 5
MAX_ROWS = 500


def active_warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("-is_default", "code")


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


def find_product(text: str):
    """The product a line names by SKU (any case) or barcode: (product, error)."""
    text = (text or "").strip()
    if not text:
        return None, None
    matches = list(Product.objects.filter(Q(sku__iexact=text) | Q(barcode=text))[:2])
    by_sku = [p for p in matches if p.sku.lower() == text.lower()]
    if by_sku:
        return by_sku[0], None
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, _("Several products have the barcode “%(v)s”: enter the SKU.") % {"v": text}
    return None, _("No product with the SKU or barcode “%(v)s”.") % {"v": text}


@dataclass
class Row:
    product: str = ""
    quantity: str = ""
    error: str = ""
    product_obj: Product | None = None
    expected: int | None = None
    skipped: bool = False

    @property
    def difference(self):
        if self.expected is None or self.product_obj is None or self.skipped:
            return None
        return int(self.quantity) - self.expected


@dataclass
class Lines:
    rows: list[Row] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)
    error: str = ""

    @property
    def valid(self) -> bool:
        return not self.error and not any(r.error for r in self.rows)

    def pad(self, extra: int = 0) -> "Lines":
        """Leave blank rows to type into (at least BLANK_ROWS rows in all)."""
        blanks = max(BLANK_ROWS - len(self.rows), 0) + extra
        self.rows += [Row() for _ in range(min(blanks, MAX_ROWS - len(self.rows)))]
        return self

    def mark_short(self, short: list[dict]) -> None:
        by_product = {s["product"]: s for s in short}
        for row in self.rows:
            s = row.product_obj and by_product.get(row.product_obj.pk)
            if s:
                row.error = _("Only %(n)s available.") % {"n": s["available"]}

    def mark_products(self, product_ids, message: str) -> None:
        ids = {int(p) for p in product_ids if str(p).isdigit()}
        for row in self.rows:
            if row.product_obj and row.product_obj.pk in ids:
                row.error = message


def parse_lines(data, *, allow_zero: bool = False, merge: bool = True, skip_blank: bool = False) -> Lines:
    """Rows from the posted ``product``/``quantity`` lists. ``allow_zero`` (a count may find
    none); ``merge`` adds up a product entered twice (a count refuses it instead);
    ``skip_blank`` keeps a product row without a quantity but leaves it out of the lines
    (a count sheet's products not counted yet)."""
    products, quantities = data.getlist("product"), data.getlist("quantity")
    result = Lines()
    for text, qty in list(zip(products, quantities, strict=False))[:MAX_ROWS]:
        text, qty = (text or "").strip(), (qty or "").strip()
        if not text and not qty:
            continue
        row = Row(product=text, quantity=qty)
        result.rows.append(row)
        product, error = find_product(text)
        if not text:
            row.error = _("Enter a SKU or barcode.")
            continue
        if error:
            row.error = error
            continue
        row.product_obj, row.product = product, product.sku
        if skip_blank and not qty:
            row.skipped = True
            continue
        try:
            number = int(qty)
        except ValueError:
            row.error = _("Enter a whole number.") if qty else _("Enter a quantity.")
            continue
        if number < 0 or (number == 0 and not allow_zero):
            row.error = _("Enter a number above zero.") if not allow_zero else _("Enter zero or more.")
            continue
        if product.pk in result.lines and not merge:
            row.error = _("This product is already on another line.")
            continue
        result.lines[product.pk] = result.lines.get(product.pk, 0) + number
    if not result.lines and not any(r.error for r in result.rows):
        result.error = _("Add at least one line.")
    return result


def rows_for_products(products) -> Lines:
    return Lines(rows=[Row(product=p.sku, product_obj=p) for p in products])


class ReceiptForm(forms.Form):
    warehouse = WarehouseChoiceField(queryset=active_warehouses(), label=gettext_lazy("Warehouse"))
    supplier = forms.CharField(label=gettext_lazy("Supplier"), max_length=128, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class CountForm(forms.Form):
    warehouse = WarehouseChoiceField(queryset=active_warehouses(), label=gettext_lazy("Warehouse"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class TransferForm(forms.Form):
    from_warehouse = WarehouseChoiceField(queryset=active_warehouses(), label=gettext_lazy("From warehouse"))
    to_warehouse = WarehouseChoiceField(queryset=active_warehouses(), label=gettext_lazy("To warehouse"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get("to_warehouse"):
            self.add_error("to_warehouse", _("Choose two different warehouses."))
        return data


class AdjustForm(forms.Form):
    warehouse = WarehouseChoiceField(queryset=active_warehouses(), label=gettext_lazy("Warehouse"))
    product = forms.CharField(label=gettext_lazy("Product (SKU or barcode)"), max_length=64)
    quantity = forms.IntegerField(
        label=gettext_lazy("Change in quantity"),
        help_text=gettext_lazy("Positive adds to on hand, negative takes away (e.g. -3 for three damaged units)."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs.update({"list": "product-options", "autocomplete": "off"})

    def clean_product(self):
        product, error = find_product(self.cleaned_data["product"])
        if error:
            raise forms.ValidationError(error)
        return product

    def clean_quantity(self):
        value = self.cleaned_data["quantity"]
        if value == 0:
            raise forms.ValidationError(_("Enter a quantity other than zero."))
        return value

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Give a reason for the adjustment."))
        return value


class ReorderRuleForm(forms.ModelForm):
    product_sku = forms.CharField(label=gettext_lazy("Product (SKU or barcode)"), max_length=64)

    class Meta:
        model = ReorderRule
        fields = ["warehouse", "reorder_point", "safety_stock", "target_level", "lead_time_days", "velocity_days"]
        help_texts = {
            "reorder_point": gettext_lazy("A low-stock warning is raised when available falls below this."),
            "safety_stock": gettext_lazy("Stock kept for surprises; a suggestion is raised before available "
                                         "falls below it plus the demand expected during the lead time."),
            "target_level": gettext_lazy("A replenishment suggestion brings available back up to this."),
        }

    field_order = ["warehouse", "product_sku", "reorder_point", "safety_stock", "target_level", "lead_time_days",
                   "velocity_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"] = WarehouseChoiceField(queryset=active_warehouses(), label=_("Warehouse"))
        self.fields["product_sku"].widget.attrs.update({"list": "product-options", "autocomplete": "off"})
        if self.instance.pk:  # the pair a rule is for does not change
            del self.fields["warehouse"]
            del self.fields["product_sku"]
        self.order_fields(self.field_order)

    def clean_product_sku(self):
        product, error = find_product(self.cleaned_data["product_sku"])
        if error:
            raise forms.ValidationError(error)
        return product

    def clean(self):
        data = super().clean()
        point, target, safety = data.get("reorder_point"), data.get("target_level"), data.get("safety_stock")
        if point is not None and target is not None and target < point:
            self.add_error("target_level", _("The target level must be at least the reorder point."))
        if point is not None and safety is not None and safety > point:
            self.add_error("safety_stock", _("Safety stock cannot be above the reorder point."))
        return data

    def _post_clean(self):
        pass  # the service validates and saves; the model's constraints are not checked here

    def service_values(self) -> dict:
        return {k: self.cleaned_data[k] for k in RULE_FIELDS}


class WarehouseForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=16)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=255, required=False)
    provinces = forms.MultipleChoiceField(
        label=gettext_lazy("Provinces served"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Orders from distributors in these provinces are fulfilled here; "
                               "all others from the default warehouse."))
    is_default = forms.BooleanField(label=gettext_lazy("Default warehouse"), required=False,
                                    help_text=gettext_lazy("There is one default warehouse; choosing this one "
                                                           "moves the flag from the current default."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = regions.provinces()
