"""Back-office pages of the catalog: products, the category tree, price lists (with the
price check tool), promotions, and the Excel imports and exports.

Every page is for brand staff (``staff_view``); every write goes through
``dms.catalog.services``. A price list for one distributor is tenant data: it is read
through ``selectors.price_lists_for`` so a channel manager gets 404 on another's.
"""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dms.audit.selectors import history_for
from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import add_sheet, read_xlsx, workbook_response, xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor, Tier

from . import importer, services
from .filters import PRICE_LIST_ORDERING, PRODUCT_ORDERING, PriceListPageFilter, ProductFilter, PromotionFilter
from .forms import (
    CategoryForm,
    ImportForm,
    PriceCheckForm,
    PriceItemForm,
    PriceListForm,
    ProductForm,
    PromotionForm,
)
from .models import Category, PriceList, Product, Promotion
from .selectors import (
    category_choices,
    category_tree,
    explain_price,
    is_effective,
    price_lists_for,
    product_prices,
    subtree_ids,
)

IMPORT_ERRORS_KEY = "catalog_import_errors"
HISTORY_LIMIT = 12


def _push_clean_url(request, response):
    """Push the address without empty filters into the browser history."""
    if wants_partial(request):
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            kept = [v for v in values if v]
            if kept:
                query.setlist(key, kept)
        response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if query else "")
    return response


def _error_text(exc: DomainError) -> str:
    """A service error as one message: its field errors, else its message."""
    return " ".join(str(m) for msgs in exc.fields.values() for m in msgs) or str(exc.message)


def _filters_active(request, keys) -> bool:
    return any(request.GET.get(k) for k in keys)


# --- products ---------------------------------------------------------------------------


def _products(request):
    filterset = ProductFilter(request.GET or None, queryset=Product.objects.select_related("category",
                                                                                          "category__parent"))
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), PRODUCT_ORDERING, "sku")
    return filterset, qs


def _product_export(qs):
    headers = [_("SKU"), _("Name"), _("Specification"), _("Unit"), _("Pack size"), _("Barcode"), _("Category"),
               _("Brand"), _("Base price"), _("VAT rate"), _("Minimum order quantity"), _("Order multiple"),
               _("Status"), _("Description"), _("Updated at")]
    rows = ([p.sku, p.name, p.specification, p.unit, p.pack_size, p.barcode, p.category.path if p.category else "",
             p.brand, p.base_price, p.vat_rate, p.moq, p.multiple, p.get_status_display(), p.description,
             p.updated_at] for p in qs.iterator(chunk_size=500))
    return xlsx_response("products", headers, rows, sheet_title=_("Products"))


@staff_view("catalog.view_product")
def product_list(request):
    filterset, qs = _products(request)
    page = paginate(request, qs)
    context = {
        "nav": "products",
        "page_obj": page,
        "filterset": filterset,
        "filters_active": _filters_active(request, ("search", "status", "category", "brand")),
        "statuses": Product.Status.choices,
        "categories": category_choices(),
        "brands": Product.objects.exclude(brand="").order_by("brand").values_list("brand", flat=True).distinct(),
        "q": request.GET,
    }
    return _push_clean_url(request, render_list(request, "catalog/product_list.html", context))


@staff_view("catalog.view_product")
def product_export(request):
    _filterset, qs = _products(request)
    return _product_export(qs)


def _product_form_page(request, form, product=None):
    return render(request, "catalog/product_form.html", {"form": form, "product": product, "nav": "products"})


@staff_view("catalog.add_product")
def product_create(request):
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(actor=request.user, image=form.cleaned_data.get("image"),
                                              **form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Product %(p)s created.") % {"p": product})
            return redirect("catalog:product_detail", pk=product.pk)
    return _product_form_page(request, form)


@staff_view("catalog.change_product")
def product_edit(request, pk):
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(product_id=product.pk, actor=request.user, image=form.cleaned_data.get("image"),
                                    remove_image=form.cleaned_data.get("remove_image", False),
                                    **form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:product_detail", pk=product.pk)
    return _product_form_page(request, form, product)


@staff_view("catalog.view_product")
def product_detail(request, pk):
    product = get_object_or_404(Product.objects.select_related("category", "category__parent"), pk=pk)
    now = timezone.now()
    from dms.inventory.models import StockLevel

    levels = list(StockLevel.objects.filter(product=product).select_related("warehouse").order_by("warehouse__code"))
    context = {
        "nav": "products",
        "product": product,
        "prices": product_prices(product, request.user) if request.user.has_perm("catalog.view_pricelist") else None,
        "promotions": product.promotions.filter(is_active=True, ends_at__gt=now).prefetch_related("tiers")
        .order_by("starts_at"),
        "now": now,
        "levels": levels if request.user.has_perm("inventory.view_stocklevel") else None,
        "totals": {k: sum(getattr(lv, k) for lv in levels) for k in ("on_hand", "reserved", "available")},
        "history": history_for(product) if request.user.has_perm("audit.view_auditlog") else None,
    }
    return render(request, "catalog/product_detail.html", context)


@require_POST
@staff_view("catalog.change_product")
def product_status(request, pk):
    product = get_object_or_404(Product, pk=pk)
    status = request.POST.get("status", "")
    try:
        services.set_product_status(product_id=product.pk, status=status, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Product discontinued: it can no longer be ordered.")
                         if status == Product.Status.DISCONTINUED else _("Product reactivated."))
    return redirect("catalog:product_detail", pk=product.pk)


@staff_view("catalog.view_product")
def product_image(request, pk):
    product = get_object_or_404(Product, pk=pk)
    if not product.image:
        raise Http404
    content_type = mimetypes.guess_type(product.image.name)[0] or "application/octet-stream"
    try:
        handle = product.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- categories --------------------------------------------------------------------------


@staff_view("catalog.view_product")
def category_list(request):
    form = CategoryForm(request.POST or None, prefix="new")
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_category"):
            raise PermissionDenied
        if form.is_valid():
            try:
                category = services.save_category(actor=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Category %(c)s created.") % {"c": category.path})
                return redirect("catalog:categories")
    tree = category_tree()
    if request.user.has_perm("catalog.change_category"):
        choices = category_choices(tree)
        for index, row in enumerate(tree):
            c = row["category"]
            row["form"] = CategoryForm(prefix=f"c{c.pk}", exclude_ids=subtree_ids(tree, index), choices=choices,
                                       initial={"name": c.name, "parent": c.parent_id, "sort_order": c.sort_order})
    return render(request, "catalog/categories.html", {"nav": "products", "tree": tree, "form": form})


@require_POST
@staff_view("catalog.change_category")
def category_edit(request, pk):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST, prefix=f"c{category.pk}")
    if form.is_valid():
        try:
            services.save_category(category_id=category.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Category saved."))
    else:
        messages.error(request, " ".join(str(m) for msgs in form.errors.values() for m in msgs))
    return redirect("catalog:categories")


@require_POST
@staff_view("catalog.change_category")
def category_delete(request, pk):
    category = get_object_or_404(Category, pk=pk)
    name = category.path
    try:
        services.delete_category(category_id=category.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Category %(c)s deleted.") % {"c": name})
    return redirect("catalog:categories")


# --- price lists -------------------------------------------------------------------------


def _price_lists(request):
    qs = price_lists_for(request.user).annotate(item_count=Count("items"))
    filterset = PriceListPageFilter(request.GET or None, queryset=qs)
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in PRICE_LIST_ORDERING:
        return filterset, order_by_param(filterset.qs, sort, PRICE_LIST_ORDERING, "kind")
    return filterset, filterset.qs.order_by("kind", "-valid_from", "name")


@staff_view("catalog.view_pricelist")
def price_list_list(request):
    filterset, qs = _price_lists(request)
    if request.GET.get("export") == "xlsx":
        return _price_list_summary_export(qs)
    page = paginate(request, qs)
    context = {
        "nav": "price_lists",
        "page_obj": page,
        "filterset": filterset,
        "filters_active": _filters_active(request, ("search", "kind", "tier", "distributor", "active",
                                                    "effective_on")),
        "kinds": PriceList.Kind.choices,
        "tiers": Tier.objects.all(),
        "distributors": Distributor.objects.filter(
            pk__in=price_lists_for(request.user).filter(distributor__isnull=False).values("distributor_id")
        ).order_by("code"),
        "today": timezone.localdate(),
        "q": request.GET,
    }
    return _push_clean_url(request, render_list(request, "catalog/price_list_list.html", context))


def _price_list_summary_export(qs):
    headers = [_("Name"), _("Kind"), _("Tier"), _("Distributor"), _("Valid from"), _("Valid to"), pgettext("catalog", "Active"),
               _("Currency"), _("Items")]
    rows = ([pl.name, pl.get_kind_display(), pl.tier.name if pl.tier else "",
             f"{pl.distributor.code} {pl.distributor.name}" if pl.distributor else "", pl.valid_from, pl.valid_to,
             _("Yes") if pl.is_active else _("No"), pl.currency, pl.item_count] for pl in qs)
    return xlsx_response("price-lists", headers, rows, sheet_title=_("Price lists"))


def _get_price_list(request, pk):
    return get_object_or_404(price_lists_for(request.user), pk=pk)


def _price_list_kwargs(form) -> dict:
    return {k: form.cleaned_data.get(k) for k in ("name", "kind", "tier", "distributor", "valid_from", "valid_to",
                                                  "currency")}


@staff_view("catalog.add_pricelist")
def price_list_create(request):
    initial = {k: request.GET[k] for k in ("kind", "tier", "distributor") if request.GET.get(k)}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            price_list = services.create_price_list(actor=request.user, **_price_list_kwargs(form))
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Price list %(p)s created: now add its prices.") % {"p": price_list})
            return redirect("catalog:price_list_detail", pk=price_list.pk)
    return render(request, "catalog/price_list_form.html", {"form": form, "nav": "price_lists"})


@staff_view("catalog.change_pricelist")
def price_list_edit(request, pk):
    price_list = _get_price_list(request, pk)
    initial = {"name": price_list.name, "kind": price_list.kind, "tier": price_list.tier_id,
               "distributor": price_list.distributor_id, "valid_from": price_list.valid_from,
               "valid_to": price_list.valid_to, "currency": price_list.currency}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_price_list(price_list_id=price_list.pk, actor=request.user, **_price_list_kwargs(form))
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:price_list_detail", pk=price_list.pk)
    return render(request, "catalog/price_list_form.html",
                  {"form": form, "price_list": price_list, "nav": "price_lists"})


@require_POST
@staff_view("catalog.change_pricelist")
def price_list_status(request, pk):
    price_list = _get_price_list(request, pk)
    active = request.POST.get("active") == "1"
    services.set_price_list_active(price_list_id=price_list.pk, active=active, actor=request.user)
    messages.success(request, _("Price list activated.") if active else
                     _("Price list deactivated: its prices no longer apply."))
    return redirect("catalog:price_list_detail", pk=price_list.pk)


def _items_context(request, price_list, item_form=None):
    items = price_list.items.select_related("product").order_by("product__sku")
    search = request.GET.get("search", "").strip()
    if search:
        items = items.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    return {
        "price_list": price_list,
        "items_page": paginate(request, items, 50),
        "item_form": item_form or PriceItemForm(),
        "can_edit": request.user.has_perm("catalog.change_pricelist"),
        "search": search,
    }


@staff_view("catalog.view_pricelist")
def price_list_detail(request, pk):
    price_list = _get_price_list(request, pk)
    item_form = None
    if request.method == "POST":
        if not request.user.has_perm("catalog.change_pricelist"):
            raise PermissionDenied
        item_form = PriceItemForm(request.POST)
        if item_form.is_valid():
            product = item_form.cleaned_data["product"]
            try:
                services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk,
                                             price=item_form.cleaned_data["price"], actor=request.user)
            except ValidationFailed as exc:
                apply_service_errors(item_form, exc)
            else:
                message = _("Price of %(sku)s saved.") % {"sku": product.sku}
                if not request.htmx:
                    messages.success(request, message)
                    return redirect("catalog:price_list_detail", pk=price_list.pk)
                context = _items_context(request, price_list)
                context["saved"] = message
                return render(request, "catalog/price_list_detail.html#items", context)
        if request.htmx:
            # 200: htmx swaps only successful answers, and the errors must show
            return render(request, "catalog/price_list_detail.html#items",
                          _items_context(request, price_list, item_form))
    context = _items_context(request, price_list, item_form)
    if wants_partial(request):
        return render_list(request, "catalog/price_list_detail.html", context, partial="items")
    context.update({
        "nav": "price_lists",
        "today": timezone.localdate(),
        "effective": is_effective(price_list, timezone.localdate()),
        "history": history_for(price_list, limit=HISTORY_LIMIT) if request.user.has_perm("audit.view_auditlog")
        else None,
        "history_limit": HISTORY_LIMIT,
        "skus": Product.objects.filter(status=Product.Status.ACTIVE).order_by("sku").values_list("sku", "name")
        if request.user.has_perm("catalog.change_pricelist") else [],
    })
    return render(request, "catalog/price_list_detail.html", context)


@require_POST
@staff_view("catalog.change_pricelist")
def price_list_item_remove(request, pk):
    price_list = _get_price_list(request, pk)
    product_id = request.POST.get("product", "")
    try:
        if not product_id.isdigit():
            raise ValidationFailed(fields={"product": [_("Unknown product.")]})
        services.remove_price_list_item(price_list_id=price_list.pk, product_id=int(product_id), actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        if request.htmx:
            context = _items_context(request, price_list)
            context["saved"] = _("Price removed.")
            return render(request, "catalog/price_list_detail.html#items", context)
        messages.success(request, _("Price removed."))
    return redirect("catalog:price_list_detail", pk=price_list.pk)


@staff_view("catalog.view_pricelist")
def price_list_export(request, pk):
    price_list = _get_price_list(request, pk)
    items = price_list.items.select_related("product").order_by("product__sku")
    headers = [_("SKU"), _("Name"), _("Specification"), _("Unit"), _("Price"), _("Base price")]
    rows = ([i.product.sku, i.product.name, i.product.specification, i.product.unit, i.price, i.product.base_price]
            for i in items)
    return xlsx_response(f"price-list-{price_list.pk}", headers, rows, sheet_title=price_list.name)


@staff_view("catalog.view_pricelist")
def price_check(request):
    form = PriceCheckForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        result = explain_price(data["distributor"], data["product"], data.get("day"), data.get("quantity") or 1)
    return render(request, "catalog/price_check.html", {"form": form, "result": result, "nav": "price_lists"})


# --- promotions ------------------------------------------------------------------------


@staff_view("catalog.view_promotion")
def promotion_list(request):
    filterset = PromotionFilter(request.GET or None, queryset=Promotion.objects.prefetch_related(
        "tiers", Prefetch("products", queryset=Product.objects.order_by("sku"))))
    page = paginate(request, filterset.qs.order_by("-starts_at", "-pk"))
    context = {
        "nav": "promotions",
        "page_obj": page,
        "filterset": filterset,
        "filters_active": _filters_active(request, ("search", "rule", "state")),
        "now": timezone.now(),
        "q": request.GET,
    }
    return _push_clean_url(request, render_list(request, "catalog/promotion_list.html", context))


def _save_promotion(request, form, promotion=None):
    try:
        saved = services.save_promotion(promotion_id=promotion.pk if promotion else None, actor=request.user,
                                        **form.service_kwargs())
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, _("Promotion %(p)s saved.") % {"p": saved})
    return redirect("catalog:promotions")


@staff_view("catalog.add_promotion")
def promotion_create(request):
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = PromotionForm(request.POST or None, initial={
        "starts_at": now, "ends_at": now + timezone.timedelta(days=30), "is_active": True,
        "rule": Promotion.Rule.PERCENT_OFF})
    if request.method == "POST" and form.is_valid():
        done = _save_promotion(request, form)
        if done:
            return done
    return render(request, "catalog/promotion_form.html", {"form": form, "nav": "promotions"})


@staff_view("catalog.change_promotion")
def promotion_edit(request, pk):
    promotion = get_object_or_404(Promotion, pk=pk)
    initial = {
        "name": promotion.name, "rule": promotion.rule, "value": promotion.value,
        "buy_quantity": promotion.buy_quantity or None, "free_quantity": promotion.free_quantity or None,
        "starts_at": timezone.localtime(promotion.starts_at), "ends_at": timezone.localtime(promotion.ends_at),
        "products": list(promotion.products.values_list("pk", flat=True)),
        "tiers": list(promotion.tiers.values_list("pk", flat=True)), "is_active": promotion.is_active,
    }
    form = PromotionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _save_promotion(request, form, promotion)
        if done:
            return done
    history = history_for(promotion) if request.user.has_perm("audit.view_auditlog") else None
    return render(request, "catalog/promotion_form.html",
                  {"form": form, "promotion": promotion, "history": history, "nav": "promotions"})


@require_POST
@staff_view("catalog.change_promotion")
def promotion_status(request, pk):
    promotion = get_object_or_404(Promotion, pk=pk)
    active = request.POST.get("active") == "1"
    services.set_promotion_active(promotion_id=promotion.pk, active=active, actor=request.user)
    messages.success(request, _("Promotion activated.") if active else _("Promotion deactivated."))
    return redirect("catalog:promotions")


# --- Excel imports -------------------------------------------------------------------------


def _template(columns, sheet_title, filename, notes=()):
    lang = get_language() or "zh-hans"
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, sheet_title, importer.template_headers(columns, lang), [])
    add_sheet(wb, _("Instructions"), [_("Column"), _("Also accepted"), _("Required"), _("Meaning"), _("Example")], [
        [*((c.zh, c.en) if lang.startswith("zh") else (c.en, c.zh)), _("Yes") if c.required else "", str(c.label),
         c.example] for c in columns
    ] + [[str(n)] for n in notes])
    return workbook_response(wb, filename, stamp=False)


def _error_report(request, filename):
    errors = request.session.get(IMPORT_ERRORS_KEY)
    if not errors:
        raise Http404
    rows = [[e["row"], e["column"], e["message"]] for e in errors]
    return xlsx_response(filename, [_("Row"), _("Column"), _("Error")], rows, sheet_title=_("Errors"))


def _run_import(request, form, run):
    """Read the upload and run the importer; returns its result, or None when the file
    cannot be read (the error is then on the form)."""
    try:
        _headers, rows = read_xlsx(form.cleaned_data["file"])
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return None
    result = run(rows)
    if result.ok:
        request.session.pop(IMPORT_ERRORS_KEY, None)
    else:
        request.session[IMPORT_ERRORS_KEY] = [
            {"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:2000]]
    return result


PRODUCT_NOTES = [
    gettext_lazy("Rows whose SKU exists update that product (empty cells leave a field unchanged); other rows create products."),
    gettext_lazy("Category: the path of an existing category, e.g. 饮料 / 包装水."),
    gettext_lazy("Status: active or discontinued (在售 / 停售)."),
]
PRICE_NOTES = [
    gettext_lazy("Each row sets the price of one SKU in this price list; other products keep their price."),
]


@staff_view("catalog.import_product")
def product_import(request):
    download = request.GET.get("download")
    if download == "template":
        return _template(importer.PRODUCT_COLUMNS, _("Products"), "product-import-template", PRODUCT_NOTES)
    if download == "errors":
        return _error_report(request, "product-import-errors")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = _run_import(request, form, lambda rows: services.import_products(rows, actor=request.user))
        if result is not None and result.ok:
            messages.success(request, _("Import done: %(c)d products created, %(u)d updated.")
                             % {"c": result.created_count, "u": result.updated_count})
            return redirect("catalog:products")
    return render(request, "catalog/import.html", {
        "form": form, "result": result, "columns": importer.PRODUCT_COLUMNS, "notes": PRODUCT_NOTES,
        "title": _("Import products from Excel"), "nav": "products"})


@staff_view("catalog.import_product")
def price_import(request, pk):
    price_list = _get_price_list(request, pk)
    download = request.GET.get("download")
    if download == "template":
        return _template(importer.PRICE_COLUMNS, _("Prices"), "price-import-template", PRICE_NOTES)
    if download == "errors":
        return _error_report(request, "price-import-errors")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = _run_import(request, form, lambda rows: services.import_prices(
            rows, price_list_id=price_list.pk, actor=request.user))
        if result is not None and result.ok:
            messages.success(request, _("Import done: %(c)d prices added, %(u)d changed.")
                             % {"c": result.created_count, "u": result.updated_count})
            return redirect("catalog:price_list_detail", pk=price_list.pk)
    return render(request, "catalog/import.html", {
        "form": form, "result": result, "columns": importer.PRICE_COLUMNS, "price_list": price_list,
        "notes": PRICE_NOTES,
        "title": _("Import prices into %(name)s") % {"name": price_list.name}, "nav": "price_lists"})

