"""Portal pages of a distributor's customers: the list (filters, sort, export), create and
edit (with the duplicate warning), the customer page (contacts, needs, follow-up
timeline, HTMX follow-up form), the Excel import and the segment page.

Every customer is looked up in the user's own distributor (and the request's scope), so
another distributor's customer answers 404. Writes are one service call each.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import add_sheet, read_xlsx, workbook_response, xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import push_clean_url, render_list, wants_partial
from dms.core.permissions import portal_view

from . import importer, selectors, services
from .filters import FOLLOW_UP_CHOICES, filtered_customers
from .forms import ContactFormSet, CustomerForm, FollowUpForm, ImportForm, NeedForm
from .models import Customer, CustomerNeed, CustomerTag
from .services import DuplicateCustomer
from .views_common import export_customers, list_context

IMPORT_ERRORS_KEY = "crm_import_errors"


def _own(request, pk) -> Customer:
    return get_object_or_404(selectors.customers(), pk=pk, distributor_id=request.user.distributor_id)


# --- list, export, segments ----------------------------------------------------------


@portal_view()
def customer_list(request):
    base = Customer.objects.filter(distributor_id=request.user.distributor_id)
    filterset, qs = filtered_customers(request.GET, selectors.customers().filter(
        distributor_id=request.user.distributor_id))
    if request.GET.get("export") == "xlsx":
        return export_customers(qs.order_by("name", "pk"), with_distributor=False)
    context = list_context(request, filterset, qs)
    context.update(nav="customers", tags=CustomerTag.objects.filter(distributor_id=request.user.distributor_id),
                   follow_up_choices=FOLLOW_UP_CHOICES, has_any=base.exists())
    response = render_list(request, "crm/portal/customer_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


@portal_view()
def segments(request):
    today = timezone.localdate()
    qs = Customer.objects.filter(distributor_id=request.user.distributor_id)
    return render(request, "crm/portal/segments.html", {
        "nav": "customer_segments", "summary": selectors.aggregate(qs, today),
        "needs": selectors.needs_by_category(qs), "active_days": selectors.active_days(),
    })


# --- create and edit -----------------------------------------------------------------


def _contacts_data(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _apply_errors(form, formset, exc):
    for key, errors in exc.fields.items():
        if key.startswith("contacts.") and key[9:].isdigit():
            filled = [f for f in formset.forms if f.cleaned_data and any(
                f.cleaned_data.get(k) for k in ("name", "phone", "email"))]
            index = int(key[9:])
            target = filled[index] if index < len(filled) else None
            for e in errors:
                (target.add_error(None, e) if target else form.add_error(None, e))
    apply_service_errors(form, ValidationFailed(fields={k: v for k, v in exc.fields.items()
                                                        if not k.startswith("contacts.")}) if exc.fields else exc)


def _save(request, customer=None):
    """Shared by create and edit: (response or None, form, formset, duplicates)."""
    distributor_id = request.user.distributor_id
    initial = CustomerForm.initial_for(customer) if customer else {"type": Customer.Type.RETAILER,
                                                                   "status": Customer.Status.PROSPECT}
    form = CustomerForm(request.POST or None, initial=initial, distributor_id=distributor_id)
    contacts_initial = [{"name": c.name, "title": c.title, "phone": c.phone, "email": c.email,
                         "is_primary": c.is_primary} for c in customer.contacts.all()] if customer else []
    formset = ContactFormSet(request.POST or None, initial=contacts_initial, prefix="contacts")
    duplicates = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.service_kwargs()
        allow = data.pop("allow_duplicate")
        try:
            if customer:
                saved = services.update_customer(customer_id=customer.pk, actor=request.user,
                                                 contacts=_contacts_data(formset), allow_duplicate=allow, **data)
            else:
                saved = services.create_customer(distributor_id=distributor_id, actor=request.user,
                                                 contacts=_contacts_data(formset), allow_duplicate=allow, **data)
        except DuplicateCustomer as exc:
            duplicates = exc.extra["duplicates"]
        except ValidationFailed as exc:
            _apply_errors(form, formset, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": saved.name})
            return redirect("crm_portal:detail", pk=saved.pk), form, formset, duplicates
    return None, form, formset, duplicates


def _form_page(request, customer=None):
    response, form, formset, duplicates = _save(request, customer)
    if response:
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "crm/portal/customer_form.html", {
        "nav": "customers", "customer": customer, "form": form, "formset": formset, "duplicates": duplicates,
    }, status=status)


@portal_view()
def customer_create(request):
    return _form_page(request)


@portal_view()
def customer_edit(request, pk):
    return _form_page(request, _own(request, pk))


# --- detail, follow-ups, needs -------------------------------------------------------


def _detail_context(customer, **extra):
    context = {"nav": "customers", "customer": customer, "follow_ups": selectors.follow_ups_of(customer),
               "needs": selectors.needs_of(customer), "follow_up_form": FollowUpForm(), "need_form": NeedForm(),
               "today": timezone.localdate(), "editable": True}
    context.update(extra)
    return context


@portal_view()
def customer_detail(request, pk):
    customer = _own(request, pk)
    return render(request, "crm/portal/customer_detail.html", _detail_context(customer))


@portal_view()
@require_POST
def follow_up_add(request, pk):
    customer = _own(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.add_follow_up(customer_id=customer.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect("crm_portal:detail", pk=customer.pk)
            customer = _own(request, pk)
            form = FollowUpForm()
    status = 400 if form.errors else 200
    context = _detail_context(customer, follow_up_form=form, saved=not form.errors)
    template = "crm/portal/customer_detail.html#timeline" if request.htmx else "crm/portal/customer_detail.html"
    return render(request, template, context, status=status)


@portal_view()
@require_POST
def need_add(request, pk):
    customer = _own(request, pk)
    form = NeedForm(request.POST)
    if form.is_valid():
        try:
            services.add_need(customer_id=customer.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Need recorded."))
            return redirect("crm_portal:detail", pk=customer.pk)
    return render(request, "crm/portal/customer_detail.html", _detail_context(customer, need_form=form), status=400)


@portal_view()
@require_POST
def need_status(request, pk):
    need = get_object_or_404(CustomerNeed.objects.select_related("customer"), pk=pk,
                             customer__distributor_id=request.user.distributor_id)
    status = request.POST.get("status", "")
    if status not in CustomerNeed.Status.values:
        raise Http404
    try:
        services.set_need_status(need_id=need.pk, actor=request.user, status=status)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("crm_portal:detail", pk=need.customer_id)


# --- import --------------------------------------------------------------------------


def _template_response():
    lang = get_language() or "zh-hans"
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, _("Customers"), importer.template_headers(lang), [])
    add_sheet(wb, _("Instructions"), [_("Column"), _("Also accepted"), _("Required"), _("Example")], (
        [*((c.zh, c.en) if lang.startswith("zh") else (c.en, c.zh)), _("Yes") if c.required else "", c.example]
        for c in importer.COLUMNS))
    return workbook_response(wb, "customer-import-template", stamp=False)


@portal_view()
def customer_import(request):
    download = request.GET.get("download")
    if download == "template":
        return _template_response()
    if download == "errors":
        errors = request.session.get(IMPORT_ERRORS_KEY)
        if not errors:
            raise Http404
        return xlsx_response("customer-import-errors", [_("Row"), _("Column"), _("Error")],
                             ([e["row"], e["column"], e["message"]] for e in errors), sheet_title=_("Errors"))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            _headers, rows = read_xlsx(form.cleaned_data["file"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            result = importer.import_customers(rows, distributor_id=request.user.distributor_id, actor=request.user,
                                               allow_duplicates=form.cleaned_data["allow_duplicates"])
            if result.ok:
                request.session.pop(IMPORT_ERRORS_KEY, None)
                messages.success(request, _("%(n)d customers imported.") % {"n": result.created_count})
                return redirect("crm_portal:list")
            request.session[IMPORT_ERRORS_KEY] = [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:2000]]
    return render(request, "crm/portal/import.html", {
        "nav": "customers", "form": form, "result": result, "columns": importer.COLUMNS,
        "types": Customer.Type.choices, "statuses": Customer.Status.choices,
    }, status=400 if result is not None or form.errors else 200)

