"""Back-office statement and settlement pages: lists (filters, export), the statement page
(lines, disputes, resolve, PDF, Excel), generating a statement, the disputes queue, and
settlements (create, submit, approve with four eyes, reject).

Every page is for brand staff (``staff_view``) in the request's tenant scope, so another
channel manager's distributor's statement or settlement answers 404. Each action makes
one service call."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.pdf import pdf_response
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param

from . import selectors_statements as selectors
from . import settlements as settlement_services
from . import statement_documents as documents
from . import statements as services
from .forms_statements import (
    SETTLEMENT_ORDERING,
    STATEMENT_ORDERING,
    DecisionForm,
    GenerateForm,
    ResolveForm,
    SettlementFilter,
    SettlementForm,
    StatementFilter,
)
from .models import Settlement, Statement

VIEW = "finance.view_statement"
MANAGE = "finance.manage_statement"
VIEW_SETTLEMENT = "finance.view_settlement"
ADD_SETTLEMENT = "finance.add_settlement"


def error_text(exc: DomainError) -> str:
    if exc.fields:
        first = next(iter(exc.fields.values()))
        return f"{exc.message} {first[0] if isinstance(first, list | tuple) else first}"
    return str(exc.message)


def get_statement(pk) -> Statement:
    try:
        return selectors.statement_detail(pk)
    except Statement.DoesNotExist:
        raise Http404 from None


def _filtered(request, filter_class, queryset, ordering, default):
    filterset = filter_class(request.GET or None, queryset=queryset)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return filterset, order_by_param(qs, request.GET.get("sort", ""), ordering, default)


# --- statements ------------------------------------------------------------------------


@staff_view(VIEW)
def statement_list(request):
    filterset, qs = _filtered(request, StatementFilter, selectors.statements(), STATEMENT_ORDERING, "-period_end")
    if request.GET.get("export") == "xlsx":
        headers = [_("Statement number"), _("Distributor code"), _("Distributor"), _("From"), _("To"), _("Status"),
                   _("Opening balance"), _("Invoices"), _("Payments"), _("Credit notes"), _("Rebates"), _("Other"),
                   _("Closing balance"), _("Confirmed at"), _("Open disputes")]
        rows = ([s.number, s.distributor.code, s.distributor.name, s.period_start, s.period_end,
                 s.get_status_display(), s.opening_balance, s.invoices_amount, s.payments_amount,
                 s.credit_notes_amount, s.rebates_amount, s.other_amount, s.closing_balance, s.confirmed_at,
                 s.open_disputes] for s in qs.iterator(chunk_size=2000))
        return xlsx_response("statements", headers, rows, sheet_title=_("Statements"))
    return render_list(request, "finance/statements/list.html", {
        "nav": "statements", "page_obj": paginate(request, qs), "filterset": filterset, "q": request.GET,
        "statuses": Statement.Status.choices,
        "filters_active": any(request.GET.get(k) for k in StatementFilter.Meta.fields),
    })


@staff_view(VIEW)
def statement_detail(request, pk, resolve_form=None):
    statement = get_statement(pk)
    return render(request, "finance/statements/detail.html", {
        "nav": "statements", "statement": statement, "lines": selectors.statement_lines(statement),
        "disputes": selectors.disputes(statement),
        "can_manage": request.user.has_perm(MANAGE),
        "resolve_form": resolve_form or ResolveForm(),
    }, status=400 if resolve_form else 200)


@require_POST
@staff_view(MANAGE)
def statement_resolve(request, pk):
    statement = get_statement(pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return statement_detail(request, statement.pk, resolve_form=form)
    try:
        services.resolve_disputes(statement_id=statement.pk, actor=request.user,
                                  resolution=form.cleaned_data["resolution"])
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The dispute is resolved; the distributor has been told."))
    return redirect("finance:statement", pk=statement.pk)


@staff_view(MANAGE)
def statement_generate(request):
    form = GenerateForm(request.POST or None, initial=_last_month())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement = services.generate_statement(distributor_id=data["distributor"].pk,
                                                    period_start=data["period_start"],
                                                    period_end=data["period_end"], actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            if statement.status == Statement.Status.CONFIRMED:
                messages.info(request, _("This statement is confirmed and final; it was not regenerated."))
            else:
                messages.success(request, _("Statement %(number)s generated.") % {"number": statement.number})
            return redirect("finance:statement", pk=statement.pk)
    return render(request, "finance/statements/generate.html", {"nav": "statements", "form": form},
                  status=400 if form.errors else 200)


def _last_month() -> dict:
    from django.utils import timezone

    start, end = services.previous_month(timezone.localdate())
    return {"period_start": start, "period_end": end}


@staff_view(VIEW)
def statement_pdf(request, pk):
    statement = get_statement(pk)
    return pdf_response(documents.statement_pdf(statement), documents.filename(statement) + ".pdf")


@staff_view(VIEW)
def statement_xlsx(request, pk):
    return documents.statement_xlsx(get_statement(pk))


@staff_view(VIEW)
def dispute_queue(request):
    return render_list(request, "finance/statements/disputes.html", {
        "nav": "statement_disputes", "page_obj": paginate(request, selectors.open_disputes()),
        "can_manage": request.user.has_perm(MANAGE)})


# --- settlements -----------------------------------------------------------------------


def get_settlement(pk) -> Settlement:
    try:
        return selectors.settlements().get(pk=pk)
    except Settlement.DoesNotExist:
        raise Http404 from None


@staff_view(VIEW_SETTLEMENT)
def settlement_list(request):
    filterset, qs = _filtered(request, SettlementFilter, selectors.settlements(), SETTLEMENT_ORDERING, "-created_at")
    if request.GET.get("export") == "xlsx":
        headers = [_("Number"), _("Distributor code"), _("Distributor"), _("Kind"), _("Amount"), _("Status"),
                   _("Description"), _("Created by"), _("Created at"), _("Decided by"), _("Decided at"), _("Note")]
        rows = ([s.number, s.distributor.code, s.distributor.name, s.get_kind_display(), s.amount,
                 s.get_status_display(), s.description, s.created_by, s.created_at, s.decided_by, s.decided_at,
                 s.decision_note] for s in qs)
        return xlsx_response("settlements", headers, rows, sheet_title=_("Settlements"))
    return render_list(request, "finance/statements/settlement_list.html", {
        "nav": "settlements", "page_obj": paginate(request, qs), "q": request.GET,
        "statuses": Settlement.Status.choices, "kinds": Settlement.Kind.choices,
        "filters_active": any(request.GET.get(k) for k in SettlementFilter.Meta.fields),
    })


@staff_view(ADD_SETTLEMENT)
def settlement_create(request):
    form = SettlementForm(request.POST or None, initial={"distributor": request.GET.get("distributor")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            settlement = settlement_services.create_settlement(
                distributor_id=data["distributor"].pk, kind=data["kind"], amount=data["amount"],
                description=data["description"], actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Settlement %(number)s drafted: submit it for approval.")
                             % {"number": settlement.number})
            return redirect("finance:settlement", pk=settlement.pk)
    return render(request, "finance/statements/settlement_form.html", {"nav": "settlements", "form": form},
                  status=400 if form.errors else 200)


@staff_view(VIEW_SETTLEMENT)
def settlement_detail(request, pk):
    settlement = get_settlement(pk)
    user = request.user
    approver = user.has_perm(settlement_services.APPROVE_PERM)
    account = settlement.distributor.finance_account
    return render(request, "finance/statements/settlement_detail.html", {
        "nav": "settlements", "settlement": settlement, "form": DecisionForm(),
        "available": settlement_services.payable(account, settlement.kind),
        "can_edit": user.has_perm(ADD_SETTLEMENT),
        "can_decide": approver and settlement.created_by_id != user.pk,
        "four_eyes": approver and settlement.created_by_id == user.pk,
    })


SETTLEMENT_ACTIONS = {
    "submit": (settlement_services.submit_settlement, ADD_SETTLEMENT, gettext_lazy("Submitted for approval.")),
    "withdraw": (settlement_services.withdraw_settlement, ADD_SETTLEMENT, gettext_lazy("Back to draft.")),
    "approve": (settlement_services.approve_settlement, settlement_services.APPROVE_PERM,
                gettext_lazy("Approved: the payout is posted.")),
    "reject": (settlement_services.reject_settlement, settlement_services.APPROVE_PERM, gettext_lazy("Rejected.")),
}


@require_POST
@staff_view(VIEW_SETTLEMENT)
def settlement_action(request, pk, action):
    if action not in SETTLEMENT_ACTIONS:
        raise Http404
    service, perm, done = SETTLEMENT_ACTIONS[action]
    settlement = get_settlement(pk)
    if not request.user.has_perm(perm):
        messages.error(request, _("You do not have permission to do this."))
        return redirect("finance:settlement", pk=settlement.pk)
    kwargs = {"settlement_id": settlement.pk, "actor": request.user}
    if action in ("approve", "reject"):
        kwargs["note"] = request.POST.get("note", "")
    try:
        service(**kwargs)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done)
    return redirect("finance:settlement", pk=settlement.pk)
