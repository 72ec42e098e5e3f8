"""Reorder rules and warehouses: the set-up behind stock."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core import regions
from dms.core.errors import DomainError, ValidationFailed
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate
from dms.core.permissions import staff_view

from . import selectors, services
from .filters import RULE_ORDERING, RuleFilter, order_by_param
from .forms import ReorderRuleForm, WarehouseForm
from .models import ReorderRule, Warehouse
from .views_stock import render_results

# --- reorder rules ----------------------------------------------------------------------


@staff_view("inventory.view_stocklevel")
def rule_list(request):
    filterset = RuleFilter(request.GET or None, queryset=selectors.reorder_rules())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), RULE_ORDERING, ["product__sku", "warehouse__code"])
    context = {"nav": "replenishment", "tab": "rules", "filter": filterset, "page_obj": paginate(request, qs)}
    return render_results(request, "inventory/rules.html", context)


@staff_view("inventory.add_reorderrule")
def rule_create(request):
    initial = {"warehouse": selectors.default_warehouse_id()}
    if request.GET.get("warehouse", "").isdigit():
        initial["warehouse"] = int(request.GET["warehouse"])
    if request.GET.get("product", "").isdigit():
        initial["product_sku"] = selectors.find_product_sku(int(request.GET["product"]))
    form = ReorderRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.create_reorder_rule(warehouse=form.cleaned_data["warehouse"],
                                                product_id=form.cleaned_data["product_sku"].pk, actor=request.user,
                                                **form.service_values())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {"product": "product_sku"})
        else:
            messages.success(request, _("Reorder rule for %(sku)s saved.") % {"sku": rule.product.sku})
            return redirect("inventory:reorder_rules")
    return render(request, "inventory/rule_form.html", {"nav": "replenishment", "form": form},
                  status=400 if form.errors else 200)


@staff_view("inventory.change_reorderrule")
def rule_edit(request, pk):
    rule = get_object_or_404(ReorderRule.objects.select_related("warehouse", "product"), pk=pk)
    form = ReorderRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_reorder_rule(rule_id=rule.pk, actor=request.user, **form.service_values())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Reorder rule for %(sku)s saved.") % {"sku": rule.product.sku})
            return redirect("inventory:reorder_rules")
    return render(request, "inventory/rule_form.html", {"nav": "replenishment", "form": form, "rule": rule},
                  status=400 if form.errors else 200)


@require_POST
@staff_view("inventory.change_reorderrule")
def rule_active(request, pk):
    rule = get_object_or_404(ReorderRule.objects.select_related("product"), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_reorder_rule_active(rule_id=rule.pk, active=active, actor=request.user)
    messages.success(request, (_("Reorder rule for %(sku)s switched on.") if active
                               else _("Reorder rule for %(sku)s switched off.")) % {"sku": rule.product.sku})
    return redirect("inventory:reorder_rules")


# --- warehouses -------------------------------------------------------------------------

@staff_view("inventory.view_warehouse")
def warehouse_list(request):
    warehouses = list(Warehouse.objects.order_by("-is_active", "-is_default", "code"))
    totals = selectors.warehouse_totals()
    names = dict(regions.provinces())
    for w in warehouses:
        w.totals = totals.get(w.pk, {})
        w.province_names = [names.get(p, p) for p in w.provinces or []]
    return render(request, "inventory/warehouses.html",
                  {"nav": "stock", "tab": "warehouses", "warehouses": warehouses})


def _warehouse_form(request, warehouse=None):
    initial = {}
    if warehouse:
        initial = {k: getattr(warehouse, k) for k in services.WAREHOUSE_FIELDS}
    form = WarehouseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if warehouse:
                saved = services.update_warehouse(warehouse_id=warehouse.pk, actor=request.user, **form.cleaned_data)
            else:
                saved = services.create_warehouse(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Warehouse %(w)s saved.") % {"w": saved})
            return redirect("inventory:warehouses")
    return render(request, "inventory/warehouse_form.html",
                  {"nav": "stock", "form": form, "warehouse": warehouse}, status=400 if form.errors else 200)


@staff_view("inventory.add_warehouse")
def warehouse_create(request):
    return _warehouse_form(request)


@staff_view("inventory.change_warehouse")
def warehouse_edit(request, pk):
    return _warehouse_form(request, get_object_or_404(Warehouse.objects, pk=pk))


@require_POST
@staff_view("inventory.change_warehouse")
def warehouse_active(request, pk):
    warehouse = get_object_or_404(Warehouse.objects, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_warehouse_active(warehouse_id=warehouse.pk, active=active, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, (_("Warehouse %(w)s reactivated.") if active
                                   else _("Warehouse %(w)s deactivated.")) % {"w": warehouse})
    return redirect("inventory:warehouses")
