"""The distributor self-service portal (mobile first).

Every page but registration is a ``portal_view``: brand staff get 404, and the request's
scope (one distributor) limits every tenant query, so another distributor's id is a 404.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.accounts import services as account_services
from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.core.backoffice import feature_panels
from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.middleware import client_ip
from dms.core.permissions import portal_view
from dms.core.ratelimit import allow
from dms.distributors import services
from dms.distributors.filters import ContractFilter, QualificationFilter, order_by_param
from dms.distributors.models import Contact, Contract, Distributor, Qualification, Review
from dms.distributors.selectors import CONTRACT_EXPIRING_DAYS, QUALIFICATION_EXPIRING_DAYS
from dms.logistics.models import Shipment
from dms.notifications.models import Notification
from dms.orders.models import Order

from .forms import ContactForm, PortalUserForm, QualificationUploadForm, RegisterForm


def _distributor(request):
    return get_object_or_404(
        Distributor.objects.select_related("tier", "parent", "channel_manager"), pk=request.user.distributor_id
    )


def _with_days_ago(objects):
    """Templates show "expired N days ago": give each object the positive N."""
    for obj in objects:
        days = obj.days_left
        obj.days_ago = -days if days is not None and days < 0 else 0
    return objects


# --- dashboard -----------------------------------------------------------------------


def _order_counts(distributor_id) -> dict:
    """The dashboard's orders card: orders under way, waiting for review, deliveries to confirm."""
    S = Order.Status
    counts = Order.objects.filter(distributor_id=distributor_id).aggregate(
        open=Count("pk", filter=Q(status__in=[S.SUBMITTED, S.APPROVED, S.PARTIALLY_SHIPPED, S.SHIPPED])),
        review=Count("pk", filter=Q(status=S.SUBMITTED)))
    counts["to_confirm"] = Shipment.objects.filter(
        distributor_id=distributor_id, status__in=[Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED],
        received_at__isnull=True).count()
    return counts


@portal_view()
def dashboard(request):
    distributor = _distributor(request)
    today = timezone.localdate()
    current = services.current_qualifications(distributor.pk)
    pending = Qualification.objects.filter(
        distributor_id=distributor.pk, verification_status=Qualification.Verification.PENDING
    )
    renewing = set(pending.exclude(replaces=None).values_list("replaces_id", flat=True))
    expiring_q = [
        q for q in current.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=QUALIFICATION_EXPIRING_DAYS))
        .order_by("valid_to")
    ]
    for q in expiring_q:
        q.renewal_pending = q.pk in renewing
    expired_q = list(current.filter(valid_to__lt=today).order_by("valid_to"))
    for q in expired_q:
        q.renewal_pending = q.pk in renewing
    active_contracts = Contract.objects.filter(distributor_id=distributor.pk, status=Contract.Status.ACTIVE)
    expiring_c = list(
        active_contracts.filter(end_date__lte=today + dt.timedelta(days=CONTRACT_EXPIRING_DAYS)).order_by("end_date")
    )
    open_reviews = list(Review.objects.filter(distributor_id=distributor.pk, status=Review.Status.PENDING))
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    order_counts = _order_counts(distributor.pk)
    context = {
        "nav": "home",
        "distributor": distributor,
        "expired_qualifications": expired_q,
        "expiring_qualifications": expiring_q,
        "expiring_contracts": expiring_c,
        "open_reviews": open_reviews,
        "counts": {
            "qualifications": current.count(),
            "pending": pending.count(),
            "contracts": active_contracts.count(),
            "unread": unread.count(),
        },
        "order_counts": order_counts,
        "latest_unread": list(unread[:5]),
        "is_admin": request.user.has_role(Role.DISTRIBUTOR_ADMIN),
        "soon_q": QUALIFICATION_EXPIRING_DAYS,
        "soon_c": CONTRACT_EXPIRING_DAYS,
    }
    context["has_alerts"] = bool(
        distributor.qualification_flag or expired_q or expiring_q or expiring_c or open_reviews
        or distributor.status != Distributor.Status.ACTIVE
    )
    context["panels"] = feature_panels("portal_panel", request, distributor)
    return render(request, "portal/dashboard.html", context)


# --- profile and contacts ------------------------------------------------------------


@portal_view()
def profile(request):
    distributor = _distributor(request)
    contacts = Contact.objects.filter(distributor_id=distributor.pk)
    return render(request, "portal/profile.html", {
        "nav": "profile",
        "distributor": distributor,
        "tags": list(distributor.tags.all()),
        "contacts": contacts,
        "can_edit_contacts": request.user.has_role(Role.DISTRIBUTOR_ADMIN),
    })


@portal_view()
def contact_edit(request, pk):
    contact = get_object_or_404(Contact.objects.all(), pk=pk, distributor_id=request.user.distributor_id)
    if not request.user.has_role(Role.DISTRIBUTOR_ADMIN):
        raise PermissionDenied
    initial = {"title": contact.title, "phone": contact.phone, "email": contact.email}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(contact_id=contact.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact %(name)s updated.") % {"name": contact.name})
            return redirect("portal:profile")
    return render(request, "portal/contact_form.html", {"nav": "profile", "contact": contact, "form": form})


# --- qualifications ------------------------------------------------------------------

QUALIFICATION_SORTS = [
    ("", gettext_lazy("Expiry date (soonest first)")), ("-valid_to", gettext_lazy("Expiry date (latest first)")),
    ("-uploaded", gettext_lazy("Newest upload first")), ("type", gettext_lazy("Type")),
]
CONTRACT_SORTS = [
    ("", gettext_lazy("Newest start first")), ("end", gettext_lazy("End date (soonest first)")),
    ("-end", gettext_lazy("End date (latest first)")), ("number", gettext_lazy("Contract number")),
]
QUALIFICATION_ORDERING = {"valid_to": "valid_to", "type": "type", "uploaded": "created_at",
                          "status": "verification_status"}


@portal_view()
def qualifications(request):
    base = Qualification.objects.filter(distributor_id=request.user.distributor_id).select_related("replaces")
    filterset = QualificationFilter(request.GET, queryset=base)
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in QUALIFICATION_ORDERING:
        qs = order_by_param(filterset.qs, sort, QUALIFICATION_ORDERING, "valid_to")
    else:  # soonest expiry first; documents without an end date last
        qs = filterset.qs.order_by(F("valid_to").asc(nulls_last=True), "type", "pk")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "qualifications",
            [_("Type"), _("Number"), _("Issuer"), _("Valid from"), _("Valid to"), _("Verification"), _("Comment")],
            ([q.get_type_display(), q.number, q.issuer, q.valid_from, q.valid_to, q.get_verification_status_display(),
              q.verification_comment] for q in qs),
            sheet_title=_("Qualifications"),
        )
    verified_replaced = Qualification.objects.filter(
        distributor_id=request.user.distributor_id, verification_status=Qualification.Verification.VERIFIED
    ).exclude(replaces=None).values_list("replaces_id", flat=True)
    superseded = set(verified_replaced)
    page_obj = paginate(request, qs)
    for q in _with_days_ago(page_obj):
        q.superseded = q.pk in superseded
    return render_list(request, "portal/qualifications.html", {
        "nav": "qualifications", "filter": filterset, "page_obj": page_obj,
        "sort_options": QUALIFICATION_SORTS, "sort": sort,
        "type_choices": Qualification.Type.choices, "verification_choices": Qualification.Verification.choices,
    })


@portal_view()
def qualification_upload(request):
    distributor_id = request.user.distributor_id
    replaceable = Qualification.objects.filter(distributor_id=distributor_id).exclude(
        verification_status=Qualification.Verification.REJECTED
    ).order_by("type", "-valid_to")
    initial = {}
    if request.GET.get("type") in Qualification.Type.values:
        initial["type"] = request.GET["type"]
    replaces = request.GET.get("replaces", "")
    if replaces.isdigit():
        original = replaceable.filter(pk=int(replaces)).first()
        if original:
            initial = {"replaces": original.pk, "type": original.type, "issuer": original.issuer}
    form = QualificationUploadForm(request.POST or None, request.FILES or None, replaceable=replaceable,
                                   initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_qualification(distributor_id=distributor_id, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Document uploaded. Your channel manager will verify it."))
            return redirect("portal:qualifications")
    return render(request, "portal/qualification_form.html", {"nav": "qualifications", "form": form})


@portal_view()
def qualification_file(request, pk):
    qualification = get_object_or_404(Qualification.objects.all(), pk=pk, distributor_id=request.user.distributor_id)
    return serve_private_file(qualification.file, qualification.original_filename)


# --- contracts -----------------------------------------------------------------------

CONTRACT_ORDERING = {"start": "start_date", "end": "end_date", "number": "number", "status": "status"}


@portal_view()
def contracts(request):
    base = Contract.objects.filter(distributor_id=request.user.distributor_id)
    filterset = ContractFilter(request.GET, queryset=base)
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), CONTRACT_ORDERING, "-start_date")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "contracts",
            [_("Contract number"), _("Type"), _("Status"), _("Start date"), _("End date"), _("Territory"),
             _("Product lines"), _("Annual target"), _("Payment terms")],
            ([c.number, c.get_type_display(), c.get_status_display(), c.start_date, c.end_date, c.territory,
              c.product_lines, c.annual_target_amount, c.payment_terms] for c in qs),
            sheet_title=_("Contracts"),
        )
    page_obj = paginate(request, qs)
    _with_days_ago(page_obj)
    return render_list(request, "portal/contracts.html", {
        "nav": "contracts", "filter": filterset, "page_obj": page_obj,
        "sort_options": CONTRACT_SORTS, "sort": request.GET.get("sort", ""),
        "status_choices": Contract.Status.choices, "type_choices": Contract.Type.choices,
    })


@portal_view()
def contract_detail(request, pk):
    contract = get_object_or_404(
        Contract.objects.select_related("previous"), pk=pk, distributor_id=request.user.distributor_id
    )
    _with_days_ago([contract])
    renewal = Contract.objects.filter(previous=contract).first()
    return render(request, "portal/contract_detail.html", {"nav": "contracts", "contract": contract,
                                                           "renewal": renewal})


@portal_view()
def contract_file(request, pk):
    contract = get_object_or_404(Contract.objects.all(), pk=pk, distributor_id=request.user.distributor_id)
    return serve_private_file(contract.signed_file, contract.original_filename)


# --- users ---------------------------------------------------------------------------


@portal_view("accounts.manage_portal_users")
def users(request):
    qs = (
        User.objects.filter(distributor_id=request.user.distributor_id)
        .prefetch_related(Prefetch("groups"))
        .order_by("-is_active", "username")
    )
    return render(request, "portal/users.html", {"nav": "users", "page_obj": paginate(request, qs)})


@portal_view("accounts.manage_portal_users")
def user_create(request):
    form = PortalUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = account_services.create_portal_user(
                distributor_id=request.user.distributor_id, username=d["username"], password=d["password1"],
                role=d["role"], email=d["email"], first_name=d["first_name"], actor=request.user,
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {"password": "password1"})
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("portal:users")
    return render(request, "portal/user_form.html", {"nav": "users", "form": form})


@portal_view("accounts.manage_portal_users")
@require_POST
def user_toggle(request, pk):
    target = get_object_or_404(User.objects.all(), pk=pk, distributor_id=request.user.distributor_id)
    active = request.POST.get("active") == "1"
    try:
        account_services.set_user_active(user_id=target.pk, active=active, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if active:
            messages.success(request, _("User %(name)s can log in again.") % {"name": target.username})
        else:
            messages.success(request, _("User %(name)s deactivated.") % {"name": target.username})
    return redirect("portal:users")


# --- self-registration (public) ------------------------------------------------------


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not allow(f"register:{client_ip(request)}", settings.REGISTRATION_LIMIT_PER_HOUR,
                                              3600):
        messages.error(request, _("Too many applications from your network in the last hour. Please try again later."))
        return render(request, "portal/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_applicant(**form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc, RegisterForm.SERVICE_FIELDS)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            request.session["registered_company"] = form.cleaned_data["name"]
            return redirect("portal:register_done")
    return render(request, "portal/register.html", {"form": form})


def register_done(request):
    company = request.session.pop("registered_company", "")
    return render(request, "portal/register_done.html", {"company": company})
