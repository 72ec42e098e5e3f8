"""The distributor's statements in the portal: list, detail (lines, totals, disputes),
confirm, dispute a line or the whole statement, PDF and Excel. Every statement is looked
up within the user's distributor, so another's is a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.lists import paginate, render_list
from dms.core.pdf import pdf_response
from dms.core.permissions import portal_view

from . import statement_documents as documents
from . import statements as services
from .forms_statements import DisputeForm
from .models import Statement
from .views_statements import error_text


def _own(request, pk) -> Statement:
    return get_object_or_404(Statement.objects.select_related("distributor", "confirmed_by"), pk=pk,
                             distributor_id=request.user.distributor_id)


@portal_view()
def statement_list(request):
    qs = Statement.objects.filter(distributor_id=request.user.distributor_id).order_by("-period_end", "-id")
    status = request.GET.get("status", "")
    if status in Statement.Status.values:
        qs = qs.filter(status=status)
    return render_list(request, "finance/statements/portal_list.html", {
        "nav": "statements", "page_obj": paginate(request, qs), "status": status,
        "status_choices": Statement.Status.choices})


@portal_view()
def statement_detail(request, pk, dispute_form=None):
    statement = _own(request, pk)
    return render(request, "finance/statements/portal_detail.html", {
        "nav": "statements", "statement": statement,
        "lines": statement.lines.order_by("date", "id"),
        "disputes": statement.disputes.select_related("line", "raised_by", "resolved_by").order_by("raised_at"),
        "can_confirm": statement.status in (Statement.Status.ISSUED, Statement.Status.RESOLVED),
        "can_dispute": statement.status != Statement.Status.CONFIRMED,
        "dispute_form": dispute_form or DisputeForm(),
        "open_dispute": bool(dispute_form) or bool(request.GET.get("dispute")),
        "line_id": request.GET.get("line", ""),
    }, status=400 if dispute_form else 200)


@require_POST
@portal_view()
def statement_confirm(request, pk):
    statement = _own(request, pk)
    try:
        services.confirm_statement(statement_id=statement.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Thank you: statement %(number)s is confirmed.") % {"number": statement.number})
    return redirect("finance_portal:statement", pk=statement.pk)


@require_POST
@portal_view()
def statement_dispute(request, pk):
    statement = _own(request, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return statement_detail(request, statement.pk, dispute_form=form)
    try:
        services.dispute_statement(statement_id=statement.pk, actor=request.user,
                                   comment=form.cleaned_data["comment"], line_id=form.cleaned_data["line"])
    except ValidationFailed as exc:
        form.add_error(None, error_text(exc))
        return statement_detail(request, statement.pk, dispute_form=form)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your dispute was sent to finance; you will be told the answer."))
    return redirect("finance_portal:statement", pk=statement.pk)


@portal_view()
def statement_pdf(request, pk):
    statement = _own(request, pk)
    return pdf_response(documents.statement_pdf(statement), documents.filename(statement) + ".pdf")


@portal_view()
def statement_xlsx(request, pk):
    return documents.statement_xlsx(_own(request, pk))
