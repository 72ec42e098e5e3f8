"""Back-office pages for qualifications, contracts and qualification reviews.

Every query runs inside the request's tenant scope (a channel manager sees only his
distributors); every write is one service call.
"""


from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.audit.selectors import history_for
from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.permissions import staff_view
from dms.core.redirects import internal_path

from . import services
from .filters import ContractFilter, QualificationFilter, ReviewFilter, order_by_param
from .forms_documents import (
    ContractForm,
    ContractRenewForm,
    QualificationForm,
    ReviewDecisionForm,
    VerifyQualificationForm,
)
from .models import Contract, Distributor, Qualification, Review, ReviewStep, detail_url
from .selectors import CONTRACT_EXPIRING_DAYS, QUALIFICATION_EXPIRING_DAYS, contract_quick_q, qualification_quick_q

# --- shared helpers ------------------------------------------------------------------


def _tune_filter_form(filterset, *, search_placeholder="", dates=(), hidden=("distributor",)):
    """Browser widgets for the shared FilterSets: a search box, date pickers (in the given
    order), hidden ids, and "All" instead of "---------" in the selects."""
    form = filterset.form
    fields = form.fields
    for field in fields.values():
        if getattr(field, "empty_label", None) is not None and hasattr(field.choices, "choices"):
            field.empty_label = _("All")  # django-filter's ChoiceField adds it when choices are set
            field.choices = field.choices.choices
    if dates:
        form.fields = fields = {**{k: v for k, v in fields.items() if k not in dates}, **{d: fields[d] for d in dates}}
    if "search" in fields:
        fields["search"].widget = forms.TextInput(attrs={"type": "search", "placeholder": search_placeholder})
    for name in dates:
        fields[name].widget = forms.DateInput(attrs={"type": "date"})
    for name in hidden:
        if name in fields:
            fields[name].widget = forms.HiddenInput()
    return filterset


def _error_text(exc: DomainError) -> str:
    texts = [str(m) for errors in (exc.fields or {}).values() for m in (errors if isinstance(errors, list) else [errors])]
    return " ".join(texts) or str(exc.message)


# --- qualifications ------------------------------------------------------------------

QUALIFICATION_ORDERING = {
    "distributor": "distributor__code", "type": "type", "number": "number", "valid_to": "valid_to",
    "status": "verification_status", "uploaded": "created_at",
}
def _qualification_quick_links():
    return [
        ("expiring", _("Expiring within %(n)d days") % {"n": QUALIFICATION_EXPIRING_DAYS}),
        ("expired", _("Expired")),
        ("pending", _("Pending verification")),
    ]


@staff_view("distributors.view_qualification")
def qualification_list(request):
    qs = Qualification.objects.select_related("distributor", "verified_by")
    quick = request.GET.get("quick", "")
    quick_q = qualification_quick_q(quick)
    if quick_q is not None:
        qs = qs.filter(quick_q)
    filterset = _tune_filter_form(QualificationFilter(request.GET or None, queryset=qs),
                                  search_placeholder=_("Number, distributor name or code"), dates=["expires_before"])
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), QUALIFICATION_ORDERING, "valid_to")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "qualifications",
            [_("Distributor code"), _("Distributor"), _("Type"), _("Number"), _("Issuer"), _("Valid from"),
             _("Valid to"), _("Days left"), _("Verification"), _("Verified by"), _("Comment"), _("Uploaded at")],
            (
                [q.distributor.code, q.distributor.name, q.get_type_display(), q.number, q.issuer, q.valid_from,
                 q.valid_to, q.days_left, q.get_verification_status_display(),
                 q.verified_by.username if q.verified_by else "", q.verification_comment, q.created_at]
                for q in qs
            ),
            sheet_title=_("Qualifications"),
        )
    context = {
        "nav": "qualifications", "filter": filterset, "page_obj": paginate(request, qs), "quick": quick,
        "quick_links": _qualification_quick_links(), "today": timezone.localdate(),
        "can_verify": request.user.has_perm("distributors.verify_qualification"),
    }
    return render_list(request, "distributors/qualification_list.html", context)


@staff_view("distributors.add_qualification")
def qualification_create(request, pk):
    distributor = get_object_or_404(Distributor.objects.select_related("tier"), pk=pk)
    form = QualificationForm(request.POST or None, request.FILES or None, distributor=distributor)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            qualification = services.add_qualification(
                distributor_id=distributor.pk, actor=request.user, file=data.pop("file"), **data
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Qualification %(q)s added.") % {"q": qualification})
            return redirect(detail_url(distributor.pk, "qualifications"))
    return render(request, "distributors/qualification_form.html",
                  {"nav": "qualifications", "distributor": distributor, "form": form})


@staff_view("distributors.verify_qualification")
def qualification_verify(request, pk):
    """GET: the document and the verify/reject form; POST: the decision, then back to the
    distributor's page (or to a safe ``next``)."""
    qualification = get_object_or_404(Qualification.objects.select_related("distributor", "verified_by"), pk=pk)
    back = detail_url(qualification.distributor_id, "qualifications")
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and "decision" not in data and "action" in data:
        data["decision"] = data["action"]  # also accept action=approve|reject
    form = VerifyQualificationForm(data)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Choose whether to verify or reject the document."))
            return redirect(internal_path(request.POST.get("next"), back))
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.verify_qualification(qualification_id=qualification.pk, actor=request.user, approve=approve,
                                          comment=form.cleaned_data["comment"])
        except DomainError as exc:
            if request.POST.get("next"):  # an inline form on a list: report and go back there
                messages.error(request, _error_text(exc))
                return redirect(internal_path(request.POST.get("next"), back))
            apply_service_errors(form, exc)
            return render(request, "distributors/qualification_verify.html",
                          {"nav": "qualifications", "q": qualification, "form": form, "back": back})
        else:
            text = _("Qualification %(q)s verified.") if approve else _("Qualification %(q)s rejected.")
            messages.success(request, text % {"q": qualification})
        return redirect(internal_path(request.POST.get("next"), back))
    return render(request, "distributors/qualification_verify.html",
                  {"nav": "qualifications", "q": qualification, "form": form, "back": back})


@staff_view("distributors.view_qualification")
def qualification_file(request, pk):
    qualification = get_object_or_404(Qualification.objects, pk=pk)
    return serve_private_file(qualification.file, qualification.original_filename)


# --- contracts -----------------------------------------------------------------------

CONTRACT_ORDERING = {
    "number": "number", "distributor": "distributor__code", "type": "type", "start": "start_date",
    "end": "end_date", "status": "status", "target": "annual_target_amount",
}


def _contract_quick_links():
    return [
        ("expiring", _("Expiring within %(n)d days") % {"n": CONTRACT_EXPIRING_DAYS}),
        ("expired", _("Expired")),
    ]


@staff_view("distributors.view_contract")
def contract_list(request):
    qs = Contract.objects.select_related("distributor", "previous")
    quick = request.GET.get("quick", "")
    quick_q = contract_quick_q(quick)
    if quick_q is not None:
        qs = qs.filter(quick_q)
    filterset = _tune_filter_form(ContractFilter(request.GET or None, queryset=qs),
                                  search_placeholder=_("Number, distributor name or code"),
                                  dates=["ends_after", "ends_before"])
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), CONTRACT_ORDERING, "-start_date")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "contracts",
            [_("Contract number"), _("Distributor code"), _("Distributor"), _("Type"), _("Start date"),
             _("End date"), _("Days left"), _("Territory"), _("Product lines"), _("Annual target"), _("Deposit"),
             _("Status"), _("Renewal of")],
            (
                [c.number, c.distributor.code, c.distributor.name, c.get_type_display(), c.start_date, c.end_date,
                 c.days_left, c.territory, c.product_lines, c.annual_target_amount, c.deposit_amount,
                 c.get_status_display(), c.previous.number if c.previous else ""]
                for c in qs
            ),
            sheet_title=_("Contracts"),
        )
    context = {
        "nav": "contracts", "filter": filterset, "page_obj": paginate(request, qs), "quick": quick,
        "quick_links": _contract_quick_links(), "expiring_days": CONTRACT_EXPIRING_DAYS,
    }
    return render_list(request, "distributors/contract_list.html", context)


def _contract_save_errors(form, exc):
    if isinstance(exc, ValidationFailed):
        apply_service_errors(form, exc)
    else:
        form.add_error(None, _error_text(exc))


@staff_view("distributors.add_contract")
def contract_create(request, pk):
    distributor = get_object_or_404(Distributor.objects.select_related("tier"), pk=pk)
    form = ContractForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.create_contract(
                distributor_id=distributor.pk, actor=request.user, signed_file=form.cleaned_data["signed_file"],
                activate=form.cleaned_data["activate"], **form.service_data()
            )
        except DomainError as exc:
            _contract_save_errors(form, exc)
        except IntegrityError:
            form.add_error("number", _("This contract number is already used."))
        else:
            messages.success(request, _("Contract %(c)s saved.") % {"c": contract})
            return redirect("distributors:contract", contract.pk)
    return render(request, "distributors/contract_form.html",
                  {"nav": "contracts", "distributor": distributor, "form": form})


def _renewal_chain(contract):
    """Earlier contracts (oldest first), this one, and the ones renewing it."""
    earlier, current = [], contract.previous
    while current is not None and len(earlier) < 20:
        earlier.insert(0, current)
        current = current.previous
    later, current = [], Contract.objects.filter(previous=contract).first()
    while current is not None and len(later) < 20:
        later.append(current)
        current = Contract.objects.filter(previous=current).first()
    return earlier, later


@staff_view("distributors.view_contract")
def contract_detail(request, pk):
    contract = get_object_or_404(
        Contract.objects.select_related("distributor", "distributor__tier", "previous", "created_by"), pk=pk
    )
    earlier, later = _renewal_chain(contract)
    status = contract.status
    S = Contract.Status
    can_change = request.user.has_perm("distributors.change_contract")
    context = {
        "nav": "contracts",
        "contract": contract,
        "distributor": contract.distributor,
        "earlier": earlier,
        "later": later,
        "history": history_for(contract),
        "can_activate": can_change and S.ACTIVE in Contract.TRANSITIONS.get(status, ())
        and contract.end_date >= timezone.localdate(),
        "can_terminate": can_change and S.TERMINATED in Contract.TRANSITIONS.get(status, ()),
        "can_renew": request.user.has_perm("distributors.add_contract")
        and S.RENEWED in Contract.TRANSITIONS.get(status, ()),
    }
    return render(request, "distributors/contract_detail.html", context)


@staff_view("distributors.change_contract")
@require_POST
def contract_transition(request, pk, action):
    if action not in ("activate", "terminate"):
        raise Http404
    contract = get_object_or_404(Contract.objects, pk=pk)
    service = services.activate_contract if action == "activate" else services.terminate_contract
    try:
        service(contract_id=contract.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        text = _("Contract %(c)s activated.") if action == "activate" else _("Contract %(c)s terminated.")
        messages.success(request, text % {"c": contract})
    return redirect("distributors:contract", contract.pk)


@staff_view("distributors.add_contract")
def contract_renew(request, pk):
    old = get_object_or_404(Contract.objects.select_related("distributor"), pk=pk)
    if Contract.Status.RENEWED not in Contract.TRANSITIONS.get(old.status, ()):
        messages.error(request, _("Only an active or expired contract can be renewed."))
        return redirect("distributors:contract", old.pk)
    form = ContractRenewForm(request.POST or None, request.FILES or None, old=old)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.renew_contract(contract_id=old.pk, actor=request.user,
                                          signed_file=form.cleaned_data["signed_file"], **form.service_data())
        except DomainError as exc:
            _contract_save_errors(form, exc)
        except IntegrityError:
            form.add_error("number", _("This contract number is already used."))
        else:
            messages.success(request, _("Contract %(old)s renewed as %(new)s.") % {"old": old, "new": new})
            return redirect("distributors:contract", new.pk)
    return render(request, "distributors/contract_renew.html",
                  {"nav": "contracts", "old": old, "distributor": old.distributor, "form": form})


@staff_view("distributors.view_contract")
def contract_file(request, pk):
    contract = get_object_or_404(Contract.objects, pk=pk)
    return serve_private_file(contract.signed_file, contract.original_filename)


# --- reviews -------------------------------------------------------------------------

REVIEW_ORDERING = {
    "distributor": "distributor__code", "kind": "kind", "due": "due_date", "opened": "created_at",
    "status": "status", "step": "step__position",
}


@staff_view("distributors.view_review")
def review_list(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = Review.Status.PENDING
    qs = Review.objects.select_related("distributor", "step", "submitted_by")
    filterset = _tune_filter_form(ReviewFilter(data, queryset=qs))
    filterset.form.fields["overdue"].widget = forms.CheckboxInput(attrs={"value": "true"})
    if request.GET.get("sort"):
        qs = order_by_param(filterset.qs, request.GET["sort"], REVIEW_ORDERING, "due_date")
    else:  # the most urgent first; reviews without a due date last
        qs = filterset.qs.order_by(F("due_date").asc(nulls_last=True), "created_at", "pk")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "reviews",
            [_("Distributor code"), _("Distributor"), _("Kind"), _("Status"), _("Current step"), _("Due date"),
             _("Overdue"), _("Opened at"), _("Closed at")],
            (
                [r.distributor.code, r.distributor.name, r.get_kind_display(), r.get_status_display(),
                 r.step.name if r.step and r.status == Review.Status.PENDING else "", r.due_date,
                 _("Yes") if r.is_overdue else "", r.created_at, r.closed_at]
                for r in qs
            ),
            sheet_title=_("Reviews"),
        )
    context = {"nav": "reviews", "filter": filterset, "page_obj": paginate(request, qs),
               "status_value": data.get("status", "")}
    return render_list(request, "distributors/review_list.html", context)


def _step_progress(review, decisions):
    """Each step of the workflow with its state: done, current, rejected or upcoming."""
    decided = {d.step_id: d for d in decisions}
    steps = []
    for step in ReviewStep.objects.filter(kind=review.kind, enabled=True).order_by("position"):
        decision = decided.get(step.pk)
        if decision is not None:
            state = decision.decision
        elif review.status == Review.Status.PENDING and step.pk == review.step_id:
            state = "current"
        else:
            state = "upcoming"
        steps.append({"step": step, "state": state, "decision": decision})
    return steps


@staff_view("distributors.view_review")
def review_detail(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("distributor", "distributor__tier", "distributor__channel_manager", "step",
                                      "submitted_by"),
        pk=pk,
    )
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("approve", "reject") and form.is_valid():
            decide = services.approve_review if action == "approve" else services.reject_review
            try:
                decide(review_id=review.pk, actor=request.user, comment=form.cleaned_data["comment"])
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            except DomainError as exc:  # NotAllowed (another role's step), Conflict (already decided)
                messages.error(request, _error_text(exc))
                return redirect("distributors:review", review.pk)
            else:
                messages.success(request, _("Decision saved.") if action == "approve" else _("Review rejected."))
                return redirect("distributors:review", review.pk)
        elif action not in ("approve", "reject"):
            messages.error(request, _("Choose approve or reject."))
            return redirect("distributors:review", review.pk)
    distributor = review.distributor
    decisions = list(review.decisions.select_related("step", "actor"))
    context = {
        "nav": "reviews",
        "review": review,
        "distributor": distributor,
        "form": form,
        "decisions": decisions,
        "steps": _step_progress(review, decisions),
        "qualifications": distributor.qualifications.select_related("verified_by").order_by("type", "-valid_to"),
        "contacts": distributor.contacts.all(),
        "can_decide": review.status == Review.Status.PENDING and services.can_decide(request.user, review),
        "can_verify": request.user.has_perm("distributors.verify_qualification"),
        "today": timezone.localdate(),
    }
    return render(request, "distributors/review_detail.html", context)
