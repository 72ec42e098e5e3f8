"""Back-office pages for distributors: list, create/edit, the 360° page, lifecycle
actions, contacts, portal users and the Excel import.

Every page is for brand staff (``staff_view``); the request's tenant scope limits the
distributors a channel manager sees, so another manager's distributor answers 404.
"""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dms.accounts import services as account_services
from dms.accounts.models import User
from dms.accounts.roles import BRAND_WIDE_ROLES, Role
from dms.audit.models import AuditLog
from dms.audit.selectors import model_label, with_change_rows
from dms.core import regions
from dms.core.errors import DomainError, InvalidTransition, ValidationFailed
from dms.core.excel import add_sheet, read_xlsx, workbook_response, xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import staff_view

from . import importer, services
from .filters import DISTRIBUTOR_ORDERING, DistributorFilter, order_by_param
from .forms import (
    ContactForm,
    DistributorForm,
    ImportForm,
    PortalUserForm,
    ReasonForm,
    channel_managers,
)
from .models import Contact, Distributor, Review, Tag, Tier, detail_url

TIMELINE_PER_PAGE = 15
IMPORT_ERRORS_KEY = "distributor_import_errors"


# --- list ----------------------------------------------------------------------------


def _distributor_queryset():
    return Distributor.objects.select_related("tier", "parent", "channel_manager").prefetch_related(
        "tags", Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name"))
    )


def _brand_wide(user) -> bool:
    return user.is_superuser or bool(user.role_names & BRAND_WIDE_ROLES)


def _filtered(request):
    filterset = DistributorFilter(request.GET or None, queryset=_distributor_queryset())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), DISTRIBUTOR_ORDERING, "code")
    return filterset, qs


def _export(qs):
    headers = [
        _("Code"), _("Name"), _("Legal name"), _("Unified Social Credit Code"), _("Tier"), _("Parent distributor"),
        _("Region"), _("Sales territory"), _("Channel manager"), _("Status"), _("Primary contact"), _("Phone"),
        _("E-mail"), _("Tags"), _("Next re-review"), _("Created at"),
    ]

    def rows():
        for d in qs:
            contact = d.primary_contact
            yield [
                d.code, d.name, d.legal_name, d.credit_code, d.tier.name, d.parent.code if d.parent else "",
                d.region_name, d.sales_territory,
                (d.channel_manager.get_full_name() or d.channel_manager.username) if d.channel_manager else "",
                d.get_status_display(), contact.name if contact else "", contact.phone if contact else "",
                contact.email if contact else "", ", ".join(t.name for t in d.tags.all()), d.next_review_date,
                d.created_at,
            ]

    return xlsx_response("distributors", headers, rows(), sheet_title=_("Distributors"))


@staff_view("distributors.view_distributor")
def distributor_list(request):
    filterset, qs = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    page = paginate(request, qs)
    filters_active = any(request.GET.get(k) for k in ("search", "status", "tier", "province", "channel_manager",
                                                        "tag", "flagged", "parent", "region"))
    context = {
        "nav": "distributors",
        "page_obj": page,
        "filterset": filterset,
        "filters_active": filters_active,
        "statuses": Distributor.Status.choices,
        "tiers": Tier.objects.all(),
        "provinces": regions.provinces(),
        "managers": channel_managers() if _brand_wide(request.user) else None,
        "tags": Tag.objects.all(),
        "today": timezone.localdate(),
        "q": request.GET,
    }
    response = render_list(request, "distributors/distributor_list.html", context)
    if wants_partial(request):
        # push a clean address (no empty filters) into the browser history
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            kept = [v for v in values if v]
            if kept:
                query.setlist(key, kept)
        response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if query else "")
    return response


# --- create / edit -------------------------------------------------------------------


@staff_view("distributors.add_distributor")
def distributor_create(request):
    initial = {}
    if request.user.has_role(Role.CHANNEL_MANAGER):
        initial["channel_manager"] = request.user.pk
    tier1 = Tier.objects.order_by("level").first()
    if tier1:
        initial["tier"] = tier1.pk
    form = DistributorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            distributor = services.create_distributor(actor=request.user, **form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Distributor %(d)s created.") % {"d": distributor})
            if not Distributor.objects.filter(pk=distributor.pk).exists():  # outside the request's scope
                messages.info(request, _("It is assigned to another channel manager, so it is not in your list."))
                return redirect("distributors:list")
            return redirect("distributors:detail", pk=distributor.pk)
    return render(request, "distributors/distributor_form.html", {"form": form, "nav": "distributors"})


@staff_view("distributors.change_distributor")
def distributor_edit(request, pk):
    distributor = get_object_or_404(Distributor.objects.select_related("tier").prefetch_related("tags"), pk=pk)
    form = DistributorForm(request.POST or None, instance=distributor)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_distributor(distributor_id=distributor.pk, actor=request.user, **form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("distributors:detail", pk=distributor.pk)
    return render(request, "distributors/distributor_form.html",
                  {"form": form, "distributor": distributor, "nav": "distributors"})


# --- 360° page -----------------------------------------------------------------------

# action -> (target status, permission, service, needs a reason, allowed from)
ACTIONS = {
    "submit": (Distributor.Status.PENDING_REVIEW, "distributors.submit_distributor", services.submit_distributor,
               False, {Distributor.Status.PROSPECT}),
    "suspend": (Distributor.Status.SUSPENDED, "distributors.change_distributor_status",
                services.suspend_distributor, True, {Distributor.Status.ACTIVE}),
    "reactivate": (Distributor.Status.ACTIVE, "distributors.change_distributor_status",
                   services.reactivate_distributor, False, {Distributor.Status.SUSPENDED}),
    "terminate": (Distributor.Status.TERMINATED, "distributors.change_distributor_status",
                  services.terminate_distributor, True,
                  {Distributor.Status.PROSPECT, Distributor.Status.PENDING_REVIEW, Distributor.Status.ACTIVE,
                   Distributor.Status.SUSPENDED}),
}


def _allowed_actions(user, distributor) -> list[str]:
    return [name for name, (_t, perm, _s, _r, sources) in ACTIONS.items()
            if distributor.status in sources and user.has_perm(perm)]


def _timeline(request, distributor_id):
    logs = AuditLog.objects.filter(distributor_id=distributor_id).select_related("actor")
    page = paginate(request, logs, TIMELINE_PER_PAGE, param="timeline_page")
    items = [{"log": log, "changes": log.rows, "record_type": model_label(log.model)}
             for log in with_change_rows(page.object_list)]
    return page, items


@staff_view("distributors.view_distributor")
def distributor_detail(request, pk):
    distributor = get_object_or_404(
        Distributor.objects.select_related("tier", "parent", "parent__tier", "channel_manager").prefetch_related(
            "tags"), pk=pk)
    user = request.user
    can_audit = user.has_perm("audit.view_auditlog")
    timeline_page, timeline = (None, [])
    if can_audit:
        timeline_page, timeline = _timeline(request, distributor.pk)
    if wants_partial(request) and request.GET.get("timeline_page"):
        return render_list(request, "distributors/distributor_detail.html",
                       {"distributor": distributor, "timeline": timeline, "timeline_page": timeline_page},
                       partial="timeline")

    today = timezone.localdate()
    can_manage_users = account_services.can_manage_portal_users(user, distributor.pk)
    show_users = can_manage_users or user.has_perm("distributors.change_distributor")
    context = {
        "nav": "distributors",
        "distributor": distributor,
        "today": today,
        "review_due": bool(distributor.next_review_date and distributor.next_review_date <= today),
        "actions": _allowed_actions(user, distributor),
        "reason_form": ReasonForm(),
        "children": distributor.children.select_related("tier").order_by("code"),
        "contacts": distributor.contacts.all(),
        "portal_users": distributor.users.order_by("username") if show_users else None,
        "timeline": timeline,
        "timeline_page": timeline_page,
        "can_audit": can_audit,
        "can_manage_users": can_manage_users,
    }
    if user.has_perm("distributors.view_qualification"):
        context["qualifications"] = distributor.qualifications.order_by("valid_to", "type")
    if user.has_perm("distributors.view_review"):
        context["reviews"] = distributor.reviews.select_related("step", "submitted_by").prefetch_related(
            "decisions__step", "decisions__actor")
        context["open_review"] = next((r for r in context["reviews"] if r.status == Review.Status.PENDING), None)
    if user.has_perm("distributors.view_contract"):
        context["contracts"] = distributor.contracts.order_by("-start_date", "number")
    return render(request, "distributors/distributor_detail.html", context)


@require_POST
@staff_view()
def distributor_transition(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    _target, perm, service, needs_reason, _sources = ACTIONS[action]
    if not request.user.has_perm(perm):
        raise PermissionDenied
    distributor = get_object_or_404(Distributor.objects, pk=pk)
    kwargs = {"distributor_id": distributor.pk, "actor": request.user}
    if action != "submit":
        kwargs["reason"] = request.POST.get("reason", "").strip()[:255]
    try:
        distributor = service(**kwargs)
    except InvalidTransition as exc:
        messages.error(request, str(exc.message))
    except ValidationFailed as exc:
        reason = exc.fields.get("reason") if exc.fields else None
        messages.error(request, str(reason[0]) if reason else str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, {
            "submit": _("Submitted for review."),
            "suspend": _("Distributor suspended: its users can no longer log in."),
            "reactivate": _("Distributor reactivated."),
            "terminate": _("Distributor terminated."),
        }[action])
    return redirect("distributors:detail", pk=distributor.pk)


# --- contacts ------------------------------------------------------------------------

CONTACT_SECTION = "contacts"


@staff_view("distributors.add_contact")
def contact_create(request, pk):
    distributor = get_object_or_404(Distributor.objects, pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contact(distributor_id=distributor.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(detail_url(distributor.pk, CONTACT_SECTION))
    return render(request, "distributors/contact_form.html",
                  {"form": form, "distributor": distributor, "nav": "distributors"})


@staff_view("distributors.change_contact")
def contact_edit(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("distributor"), pk=pk)
    initial = {f: getattr(contact, f) for f in ("name", "title", "phone", "email", "is_primary")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(contact_id=contact.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect(detail_url(contact.distributor_id, CONTACT_SECTION))
    return render(request, "distributors/contact_form.html",
                  {"form": form, "contact": contact, "distributor": contact.distributor, "nav": "distributors"})


@require_POST
@staff_view("distributors.delete_contact")
def contact_delete(request, pk):
    contact = get_object_or_404(Contact.objects, pk=pk)
    try:
        services.delete_contact(contact_id=contact.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Contact %(name)s deleted.") % {"name": contact.name})
    return redirect(detail_url(contact.distributor_id, CONTACT_SECTION))


# --- portal users --------------------------------------------------------------------


@staff_view("accounts.manage_portal_users")
def portal_user_create(request, pk):
    distributor = get_object_or_404(Distributor.objects, pk=pk)
    form = PortalUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.create_portal_user(
                distributor_id=distributor.pk, username=data["username"], password=data["password"] or None,
                role=data["role"], email=data["email"], first_name=data["first_name"], actor=request.user,
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            if not data["password"] and user.email:
                messages.success(request, _("User %(u)s created; a link to choose a password was sent to %(e)s.")
                                 % {"u": user.username, "e": user.email})
            else:
                messages.success(request, _("User %(u)s created.") % {"u": user.username})
            return redirect(detail_url(distributor.pk, "users"))
    return render(request, "distributors/user_form.html",
                  {"form": form, "distributor": distributor, "nav": "distributors"})


@require_POST
@staff_view("accounts.manage_portal_users")
def portal_user_toggle(request, pk):
    target = get_object_or_404(User.objects.filter(distributor__isnull=False), pk=pk)
    # users are not a tenant model: check the distributor is in this staff member's scope
    distributor = get_object_or_404(Distributor.objects, pk=target.distributor_id)
    active = request.POST.get("active") == "1"
    try:
        account_services.set_user_active(user_id=target.pk, active=active, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, (_("User %(u)s activated.") if active else _("User %(u)s deactivated."))
                         % {"u": target.username})
    return redirect(detail_url(distributor.pk, "users"))


# --- import --------------------------------------------------------------------------


def _template_response():
    """An empty sheet with the import headers, and a sheet explaining each column."""
    lang = get_language() or "zh-hans"
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, _("Distributors"), importer.template_headers(lang), [])
    add_sheet(wb, _("Instructions"), [_("Column"), _("Also accepted"), _("Required"), _("Example")], (
        [*((col.zh, col.en) if lang.startswith("zh") else (col.en, col.zh)), _("Yes") if col.required else "",
         col.example]
        for col in importer.COLUMNS
    ))
    return workbook_response(wb, "distributor-import-template", stamp=False)


def _error_report(errors):
    rows = [[e["row"], e["column"], e["message"]] for e in errors]
    return xlsx_response("distributor-import-errors", [_("Row"), _("Column"), _("Error")], rows,
                         sheet_title=_("Errors"))


@staff_view("distributors.import_distributor")
def distributor_import(request):
    download = request.GET.get("download")
    if download == "template":
        return _template_response()
    if download == "errors":
        errors = request.session.get(IMPORT_ERRORS_KEY)
        if not errors:
            raise Http404
        return _error_report(errors)

    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            _headers, rows = read_xlsx(form.cleaned_data["file"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            result = importer.import_distributors(rows, actor=request.user)
            if result.ok:
                request.session.pop(IMPORT_ERRORS_KEY, None)
                messages.success(request, _("%(n)d distributors imported.") % {"n": result.created_count})
                return redirect("distributors:list")
            request.session[IMPORT_ERRORS_KEY] = [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:2000]
            ]
    context = {
        "form": form,
        "result": result,
        "columns": importer.COLUMNS,
        "nav": "distributors",
    }
    return render(request, "distributors/import.html", context)
