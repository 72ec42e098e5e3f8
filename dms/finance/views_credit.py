"""Back-office credit pages: the credit-hold queue (finance releases or rejects held
orders) and a distributor's credit (limit and its history, hold, prepayment-only,
payment terms). Each action makes one service call; pages run in the request's scope, so
a channel manager sees only his distributors and another's answers 404."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError
from dms.core.lists import paginate, render_list
from dms.core.permissions import staff_view
from dms.core.redirects import internal_path
from dms.distributors.models import Distributor
from dms.orders import services as orders
from dms.orders.models import Order

from . import credit
from .ledger import ensure_account
from .models import CreditLimitChange, CreditScore, PaymentTerms

VIEW = "finance.view_distributoraccount"
RELEASE = "finance.release_credit_hold"
CHANGE = "finance.change_credit_limit"


@staff_view(VIEW)
def credit_holds(request):
    qs = (Order.objects.filter(status=Order.Status.CREDIT_HOLD)
          .select_related("distributor", "distributor__finance_account").order_by("submitted_at", "id"))
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(distributor__name__icontains=search)
                       | Q(distributor__code__icontains=search))
    context = {"nav": "credit_holds", "page_obj": paginate(request, qs), "search": search,
               "can_decide": request.user.has_perm(RELEASE)}
    return render_list(request, "finance/credit/holds.html", context)


def _back(request):
    return redirect(internal_path(request.POST.get("next"), reverse("finance:credit_holds")))


@staff_view(RELEASE)
@require_POST
def release_hold(request, pk):
    order = get_object_or_404(Order.objects.all(), pk=pk)
    try:
        orders.release_credit_hold(order_id=order.pk, actor=request.user, note=request.POST.get("note", "").strip())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Order %(number)s released and approved.") % {"number": order.number})
    return _back(request)


@staff_view(RELEASE)
@require_POST
def reject_hold(request, pk):
    order = get_object_or_404(Order.objects.all(), pk=pk)
    try:
        orders.reject_order(order_id=order.pk, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Order %(number)s rejected.") % {"number": order.number})
    return _back(request)


def _distributor(pk) -> Distributor:
    return get_object_or_404(Distributor.objects.select_related("tier", "channel_manager"), pk=pk)


@staff_view(VIEW)
def distributor_credit(request, pk):
    distributor = _distributor(pk)
    account = ensure_account(distributor)
    context = {
        "nav": "credit_holds", "distributor": distributor, "account": account,
        "changes": CreditLimitChange.objects.filter(distributor=distributor).select_related("changed_by")[:20],
        "scores": CreditScore.objects.filter(distributor=distributor)[:6],
        "held": Order.objects.filter(distributor=distributor, status=Order.Status.CREDIT_HOLD).order_by("-id")[:10],
        "terms": PaymentTerms.objects.all(), "can_change": request.user.has_perm(CHANGE),
        "errors": {},
    }
    return render(request, "finance/credit/distributor.html", context)


@staff_view(CHANGE)
@require_POST
def distributor_credit_update(request, pk):
    """One form per setting (``field``): the limit, the hold, prepayment-only, the terms."""
    distributor = _distributor(pk)
    field, reason = request.POST.get("field"), request.POST.get("reason", "").strip()
    try:
        if field == "credit_limit":
            credit.set_credit_limit(distributor_id=distributor.pk, credit_limit=request.POST.get("credit_limit"),
                                    actor=request.user, reason=reason)
        elif field == "on_hold":
            credit.set_hold(distributor_id=distributor.pk, on_hold=request.POST.get("on_hold") == "1",
                            reason=reason, actor=request.user)
        elif field == "prepayment_only":
            credit.set_prepayment_only(distributor_id=distributor.pk, actor=request.user, reason=reason,
                                       prepayment_only=request.POST.get("prepayment_only") == "1")
        elif field == "payment_terms":
            credit.set_payment_terms(distributor_id=distributor.pk, terms_id=request.POST.get("payment_terms"),
                                     actor=request.user)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, " ".join(str(m) for ms in (exc.fields or {}).values() for m in ms) or str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("finance:credit", pk=distributor.pk)
