"""Ordering in the portal: the catalogue with the distributor's own prices, the cart (the
user's current draft order), the order list and the order page with its live timeline.

Every write is one call to ``dms.orders.services``; every query runs in the request's
distributor scope and also filters on the user's distributor, so another distributor's
order answers 404.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.catalog.models import Category, Product
from dms.catalog.pricing import price_for, price_lines, promotions_for, with_prices
from dms.catalog.selectors import in_category
from dms.core.errors import DomainError, InvalidTransition, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import portal_view
from dms.core.redirects import internal_path
from dms.distributors.models import Distributor
from dms.finance import credit
from dms.inventory.selectors import availability
from dms.inventory.services import InsufficientStock
from dms.orders import selectors, services
from dms.orders.models import Order, OrderLine
from dms.orders.services import DistributorCannotOrder

S = Order.Status
RETURNABLE = {S.PARTIALLY_SHIPPED, S.SHIPPED, S.COMPLETED}
POLL_SECONDS = 10


# --- helpers -------------------------------------------------------------------------


def _distributor(request) -> Distributor:
    return get_object_or_404(Distributor.objects.select_related("tier"), pk=request.user.distributor_id)


def _ordering(distributor) -> dict:
    """``can_order`` and, when it is False, the ``not_allowed`` message the pages show."""
    can_order = distributor.status == Distributor.Status.ACTIVE
    return {"can_order": can_order, "not_allowed": "" if can_order else _not_allowed_message(distributor)}


def _cart(request) -> Order | None:
    """The user's current draft order (the newest one), if any."""
    return (Order.objects.filter(distributor_id=request.user.distributor_id, created_by=request.user,
                                 status=S.DRAFT).order_by("-created_at", "-id").first())


def _own_order(request, pk, queryset=Order) -> Order:
    return get_object_or_404(queryset, pk=pk, distributor_id=request.user.distributor_id)


def _parse_quantity(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def _line_errors(exc: ValidationFailed, product_ids: list[int]) -> tuple[dict[int, list[str]], list[str]]:
    """Split a service's ``lines[i]…`` field errors into errors per product and the rest."""
    per_line: dict[int, list[str]] = {}
    general: list[str] = []
    for name, errors in (exc.fields or {}).items():
        errors = [str(e) for e in (errors if isinstance(errors, list | tuple) else [errors])]
        index = None
        if name.startswith("lines[") and "]" in name:
            inner = name[len("lines["):name.index("]")]
            index = int(inner) if inner.isdigit() else None
        if index is not None and index < len(product_ids):
            per_line.setdefault(product_ids[index], []).extend(errors)
        else:
            general.extend(errors)
    if not exc.fields:
        general.append(str(exc.message))
    return per_line, general


def _not_allowed_message(distributor) -> str:
    return _("Your distributor account is “%(status)s”: you can look at the catalogue and your orders, but only active "
             "distributors can place orders. Please contact your channel manager.") % {
        "status": distributor.get_status_display()}


def _hx_fragment(request, template, context, status=200):
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- catalogue -----------------------------------------------------------------------

CATALOGUE_SORTS = [
    ("", gettext_lazy("Name")), ("sku", gettext_lazy("SKU")), ("-created", gettext_lazy("Newest first")),
]
CATALOGUE_ORDERING = {"": ("name", "pk"), "sku": ("sku",), "-created": ("-created_at", "-pk")}


def _categories():
    return sorted(Category.objects.select_related("parent"), key=lambda c: c.path)


@portal_view()
def catalogue(request):
    distributor = _distributor(request)
    qs = Product.objects.filter(status=Product.Status.ACTIVE).select_related("category")
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search) | Q(barcode=search)
                       | Q(specification__icontains=search) | Q(brand__icontains=search))
    category = request.GET.get("category", "")
    if category.isdigit():
        qs = in_category(qs, int(category))
    sort = request.GET.get("sort", "")
    qs = qs.order_by(*CATALOGUE_ORDERING.get(sort, CATALOGUE_ORDERING[""]))
    # Prices are resolved in the page's own query (subqueries on the rows shown only).
    page_obj = paginate(request, with_prices(qs, distributor))
    products = list(page_obj.object_list)
    ids = [p.pk for p in products]
    promotions = promotions_for(distributor, ids) if ids else {}
    stock = availability(distributor, ids) if ids else {}
    cart = _cart(request)
    in_cart = dict(cart.lines.values_list("product_id", "quantity")) if cart else {}
    for p in products:
        p.price, p.price_source = price_for(p)
        p.running_promotions = promotions.get(p.pk, [])
        p.stock = stock.get(p.pk)
        p.in_cart = in_cart.get(p.pk, 0)
        p.suggested = p.moq if p.moq % p.multiple == 0 else p.multiple * -(-p.moq // p.multiple)
    page_obj.object_list = products
    return render_list(request, "portal/orders/catalogue.html", {
        "nav": "catalogue", "distributor": distributor, "page_obj": page_obj, "search": search,
        "category": category, "categories": _categories(), "sort": sort, "sort_options": CATALOGUE_SORTS,
        "cart": cart, **_ordering(distributor),
    })


@portal_view()
def check_quantity(request):
    """The message under a quantity input while the user types (HTMX)."""
    distributor = _distributor(request)
    product_id = request.GET.get("product", "")
    target = request.GET.get("target", "")
    context = {"target": target if target.replace("-", "").isalnum() else ""}
    product = (Product.objects.filter(pk=int(product_id)).first() if product_id.isdigit() else None)
    raw = request.GET.get("quantity", "").strip()
    if product is None:
        context["error"] = _("Unknown product.")
    elif raw == "":
        context["hint"] = _("Minimum %(moq)s, in multiples of %(multiple)s.") % {
            "moq": product.moq, "multiple": product.multiple}
    elif not raw.isdigit() or int(raw) <= 0:
        context["error"] = _("Enter a whole number of at least 1.")
    else:
        try:
            line = price_lines(distributor, [(product.pk, int(raw))])[0]
        except ValidationFailed as exc:
            per_line, general = _line_errors(exc, [product.pk])
            context["error"] = " ".join(per_line.get(product.pk, []) + general)
        else:
            context["line"] = line
    return _hx_fragment(request, "portal/orders/_qty_check.html", context)


@portal_view()
@require_POST
def cart_add(request):
    """Add a product to the cart: the first add creates the draft order."""
    distributor = _distributor(request)
    back = internal_path(request.POST.get("next"), reverse("portal:catalogue"))
    product = Product.objects.filter(pk=int(request.POST["product"])).first() \
        if request.POST.get("product", "").isdigit() else None
    quantity = _parse_quantity(request.POST.get("quantity"))
    context = {"product": product}
    error = ""
    if product is None:
        error = _("Unknown product.")
    elif not quantity:
        error = _("Enter a whole number of at least 1.")
    else:
        cart = _cart(request)
        current = dict(cart.lines.values_list("product_id", "quantity")) if cart else {}
        current[product.pk] = current.get(product.pk, 0) + quantity
        ids = list(current)
        lines = [{"product": pid, "quantity": current[pid]} for pid in ids]
        try:
            if cart is None:
                cart = services.create_order(distributor=distributor, lines=lines, actor=request.user, submit=False)
            else:
                services.update_order_lines(order_id=cart.pk, lines=lines, actor=request.user)
        except DistributorCannotOrder:
            error = _not_allowed_message(distributor)
        except ValidationFailed as exc:
            per_line, general = _line_errors(exc, ids)
            error = " ".join(per_line.get(product.pk, []) + general) or str(exc.message)
        except DomainError as exc:
            error = str(exc.message)
        else:
            context.update(cart=cart, quantity=quantity, cart_lines=cart.lines.count(),
                           in_cart=cart.lines.filter(product=product).values_list("quantity", flat=True).first())
    context["error"] = error
    if request.htmx:
        # 200 either way so that HTMX shows the message in place of the button's hint.
        return _hx_fragment(request, "portal/orders/_add_result.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Added %(product)s × %(quantity)s to your cart.") % {
            "product": product.name, "quantity": quantity})
    return redirect(back)


# --- cart and editing ----------------------------------------------------------------


def _editor_rows(order, posted=None, errors=None, short=None):
    """The order's lines for the editor, with the quantities the user typed."""
    lines = list(order.lines.select_related("product").order_by("id"))
    stock = availability(order.distributor, [line.product_id for line in lines]) if lines else {}
    rows = []
    for line in lines:
        rows.append({
            "line": line, "product": line.product,
            "quantity": (posted or {}).get(line.product_id, line.quantity),
            "errors": (errors or {}).get(line.product_id, []),
            "short": (short or {}).get(line.product_id),
            "stock": stock.get(line.product_id),
        })
    return rows


def _render_editor(request, order, *, posted=None, errors=None, short=None, general=None, note=None, status=200):
    return render(request, "portal/orders/cart.html", {
        "nav": "cart" if order.status == S.DRAFT else "orders",
        "order": order, "rows": _editor_rows(order, posted, errors, short),
        "general_errors": general or [], "note": order.note if note is None else note,
        "is_cart": order.status == S.DRAFT, "exact_stock": settings.STOCK_VISIBILITY == "exact",
        "funding": credit.funding(order.distributor_id, order.total_amount) if order.status == S.DRAFT else {},
        **_ordering(order.distributor),
    }, status=status)


@portal_view()
def cart(request):
    order = _cart(request)
    if order is None:
        return render(request, "portal/orders/cart.html", {
            "nav": "cart", "order": None, "rows": [], "is_cart": True, **_ordering(_distributor(request)),
        })
    return _render_editor(request, order)


def _posted_lines(request, order) -> tuple[list[int], dict[int, int], dict[int, list[str]], list[str]]:
    """Read the editor's form: the products in order, their quantities, input errors."""
    remove = request.POST.get("remove", "")
    ids, posted, errors, general = [], {}, {}, []
    for line in order.lines.order_by("id"):
        if remove == str(line.product_id):
            continue
        raw = request.POST.get(f"qty_{line.product_id}", str(line.quantity)).strip()
        quantity = _parse_quantity(raw)
        if quantity == 0 and raw:
            continue  # 0 removes the line
        ids.append(line.product_id)
        if quantity is None:
            posted[line.product_id] = raw
            errors[line.product_id] = [_("Enter a whole number of at least 1.")]
        else:
            posted[line.product_id] = quantity
    add_sku = request.POST.get("add_sku", "").strip()
    if add_sku:
        product = Product.objects.filter(Q(sku__iexact=add_sku) | Q(barcode=add_sku),
                                         status=Product.Status.ACTIVE).first()
        add_qty = _parse_quantity(request.POST.get("add_qty"))
        if product is None:
            general.append(_("No orderable product has the SKU or barcode “%(sku)s”.") % {"sku": add_sku})
        elif not add_qty:
            general.append(_("Enter a whole number of at least 1."))
        elif product.pk in posted and isinstance(posted[product.pk], int):
            posted[product.pk] += add_qty
        else:
            ids.append(product.pk)
            posted[product.pk] = add_qty
    return ids, posted, errors, general


@portal_view()
def order_edit(request, pk):
    """The cart-like editor for a draft (the cart) or a submitted order not yet approved."""
    order = _own_order(request, pk, Order.objects.select_related("distributor", "distributor__tier"))
    if not order.is_editable:
        messages.error(request, _("Order %(number)s can no longer be changed: it is %(status)s.") % {
            "number": order.number, "status": order.get_status_display()})
        return redirect("portal:order", pk=order.pk)
    if request.method != "POST":
        return _render_editor(request, order)
    note = request.POST.get("note", order.note).strip()[:255]
    submit = request.POST.get("action") == "submit" and order.status == S.DRAFT
    ids, posted, errors, general = _posted_lines(request, order)
    if errors or general:
        return _render_editor(request, order, posted=posted, errors=errors, general=general, note=note, status=400)
    if not ids:
        if order.status == S.DRAFT:
            services.cancel_order(order_id=order.pk, actor=request.user, reason=_("Cart emptied"))
            messages.success(request, _("Your cart is empty."))
            return redirect("portal:cart")
        return _render_editor(request, order, posted=posted, note=note, status=400, general=[
            _("An order needs at least one line. To drop the whole order, cancel it.")])
    lines = [{"product": pid, "quantity": posted[pid]} for pid in ids]
    current = [{"product": line.product_id, "quantity": line.quantity} for line in order.lines.order_by("id")]
    try:
        if lines != current or note != order.note:
            services.update_order_lines(order_id=order.pk, lines=lines, actor=request.user, note=note)
        if submit:
            order = services.submit_order(order_id=order.pk, actor=request.user,
                                          use_prepayment=request.POST.get("use_prepayment") == "1",
                                          use_rebate=request.POST.get("use_rebate") == "1")
    except credit.InsufficientPrepayment as exc:
        order.refresh_from_db()
        return _render_editor(request, order, posted=posted, note=note, status=409, general=[str(exc.message)])
    except DistributorCannotOrder:
        return _render_editor(request, order, posted=posted, note=note, status=403,
                              general=[_not_allowed_message(order.distributor)])
    except InsufficientStock as exc:
        order.refresh_from_db()
        short = {s["product"]: s for s in exc.short}
        return _render_editor(request, order, posted=posted, note=note, short=short, status=409, general=[
            _("Not enough stock for some lines: lower the quantities marked below or remove them, then try again.")])
    except ValidationFailed as exc:
        per_line, general = _line_errors(exc, ids)
        order.refresh_from_db()
        return _render_editor(request, order, posted=posted, errors=per_line, general=general, note=note,
                              status=400)
    except InvalidTransition as exc:
        messages.error(request, str(exc.message))
        return redirect("portal:order", pk=order.pk)
    if submit:
        if order.status == S.CREDIT_HOLD:
            messages.warning(request, _("Order %(number)s exceeds your available credit: it waits for finance and "
                                        "nothing is reserved yet.") % {"number": order.number})
        elif order.status == S.APPROVED:
            messages.success(request, _("Order %(number)s is approved. The stock is reserved for you.") % {
                "number": order.number})
        else:
            messages.success(request, _("Order %(number)s is submitted and waits for review. The stock is "
                                        "reserved for you meanwhile.") % {"number": order.number})
        return redirect("portal:order", pk=order.pk)
    order.refresh_from_db()
    if order.status == S.DRAFT:
        messages.success(request, _("Cart updated."))
        return redirect("portal:cart")
    if order.status == S.APPROVED:
        messages.success(request, _("Order %(number)s changed and approved again.") % {"number": order.number})
    else:
        messages.success(request, _("Order %(number)s changed; it waits for review again.") % {
            "number": order.number})
    return redirect("portal:order", pk=order.pk)


# --- order list and order page -------------------------------------------------------

ORDER_SORTS = [
    ("", gettext_lazy("Newest first")), ("created", gettext_lazy("Oldest first")),
    ("-total", gettext_lazy("Largest amount first")),
]
ORDER_ORDERING = {"": ("-created_at", "-id"), "created": ("created_at", "id"), "-total": ("-total_amount", "-id")}


def _date(raw):
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@portal_view()
def orders(request):
    qs = (Order.objects.filter(distributor_id=request.user.distributor_id)
          .exclude(status=S.CANCELLED, submitted_at__isnull=True))  # emptied carts
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(number__icontains=search)
    status = request.GET.get("status", "")
    if status in S.values:
        qs = qs.filter(status=status)
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    sort = request.GET.get("sort", "")
    qs = qs.order_by(*ORDER_ORDERING.get(sort, ORDER_ORDERING[""]))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "orders",
            [_("Order number"), _("Status"), _("Created at"), _("Submitted at"), _("Lines"), _("Subtotal"),
             _("Discount"), _("Total"), _("Currency"), _("Note")],
            ([o.number, o.get_status_display(), o.created_at, o.submitted_at, o.line_count, o.subtotal_amount,
              o.discount_amount, o.total_amount, o.currency, o.note]
             for o in qs.annotate(line_count=Count("lines")).iterator()),
            sheet_title=_("Orders"),
        )
    page_obj = paginate(request, qs)
    # Line counts for the rows shown only (the count query stays a plain indexed count).
    counts = dict(OrderLine.objects.filter(order_id__in=[o.pk for o in page_obj]).values("order_id")
                  .annotate(n=Count("id")).values_list("order_id", "n"))
    for o in page_obj:
        o.line_count = counts.get(o.pk, 0)
    return render_list(request, "portal/orders/list.html", {
        "nav": "orders", "page_obj": page_obj, "search": search, "status": status,
        "date_from": request.GET.get("from", "") if date_from else "", "date_to": request.GET.get("to", "")
        if date_to else "", "status_choices": S.choices, "sort": sort, "sort_options": ORDER_SORTS,
    })


def _timeline_context(order):
    events = list(selectors.order_events(order).reverse())  # newest first
    return {"order": order, "events": events, "polling": order.status not in selectors.FINAL_STATUSES and order.status != S.DRAFT,
            "poll_seconds": POLL_SECONDS}


@portal_view()
def order_detail(request, pk):
    order = _own_order(request, pk, Order.objects.select_related("distributor", "warehouse", "current_step",
                                                                  "copied_from"))
    lines = list(order.lines.select_related("product", "promotion").order_by("id"))
    shipments = list(order.shipments.exclude(status="cancelled").select_related("carrier").order_by("created_at"))
    returns = list(order.returns.order_by("-created_at"))
    ordering = _ordering(order.distributor)
    can_order = ordering["can_order"]
    context = _timeline_context(order)
    context.update({
        "nav": "orders", "lines": lines, "shipments": shipments, "returns": returns,
        "can_cancel": order.status in Order.EDITABLE,
        "can_edit": order.is_editable and can_order,
        "can_copy": can_order and order.status != S.DRAFT,
        "can_return": order.status in RETURNABLE and any(
            line.shipped_quantity > line.returned_quantity for line in lines),
        "not_allowed": ordering["not_allowed"],
    })
    return render(request, "portal/orders/detail.html", context)


@portal_view()
def order_events(request, pk):
    """The timeline fragment the order page polls. When the status changed since the page
    was drawn, HTMX reloads the whole page (actions and lines depend on it)."""
    order = _own_order(request, pk)
    if not wants_partial(request):
        return redirect("portal:order", pk=order.pk)
    response = _hx_fragment(request, "portal/orders/detail.html#timeline", _timeline_context(order))
    shown = request.GET.get("status", "")
    if shown and shown != order.status:
        response["HX-Refresh"] = "true"
    return response


@portal_view()
@require_POST
def order_cancel(request, pk):
    order = _own_order(request, pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Give a reason for the cancellation."))
        return redirect("portal:order", pk=order.pk)
    try:
        services.cancel_order(order_id=order.pk, actor=request.user, reason=reason)
    except InvalidTransition:
        messages.error(request, _("Order %(number)s is %(status)s and can no longer be cancelled here. "
                                  "Please contact your channel manager.") % {
            "number": order.number, "status": order.get_status_display()})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Order %(number)s is cancelled; the stock it held is released.") % {
            "number": order.number})
    return redirect("portal:order", pk=order.pk)


@portal_view()
@require_POST
def order_copy(request, pk):
    order = _own_order(request, pk)
    had_cart = _cart(request) is not None
    try:
        services.copy_order(order_id=order.pk, actor=request.user)
    except DistributorCannotOrder:
        messages.error(request, _not_allowed_message(_distributor(request)))
        return redirect("portal:order", pk=order.pk)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect("portal:order", pk=order.pk)
    if had_cart:
        messages.success(request, _("The lines of %(number)s are in a new cart at today's prices. Your previous "
                                    "cart is kept as a draft in your orders.") % {"number": order.number})
    else:
        messages.success(request, _("The lines of %(number)s are in your cart at today's prices.") % {
            "number": order.number})
    return redirect("portal:cart")


def cart_line_count(user) -> int:
    """Lines in the user's cart, for the badge in the navigation (one query)."""
    if not getattr(user, "distributor_id", None):
        return 0
    counts = (Order.objects.filter(distributor_id=user.distributor_id, created_by=user, status=S.DRAFT)
              .order_by("-created_at", "-id").annotate(n=Count("lines")).values_list("n", flat=True)[:1])
    return next(iter(counts), 0)
