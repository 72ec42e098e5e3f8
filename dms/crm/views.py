"""Back-office pages of the distributors' customers.

Brand staff with ``crm.view_customer`` see the aggregate page (counts by status, type,
activity, province and distributor); only staff with ``crm.view_customer_detail`` see the
individual customers, read-only, within their scope (a channel manager: his distributors).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core import regions
from dms.core.lists import push_clean_url, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.models import Distributor

from . import selectors
from .filters import FOLLOW_UP_CHOICES, filtered_customers
from .models import Customer
from .views_common import export_customers, list_context

VIEW = "crm.view_customer"
DETAIL = "crm.view_customer_detail"


def _chart(summary) -> dict:
    """Customers per province (the twelve largest), as a Chart.js config."""
    rows = summary["provinces"][:12]
    return {"type": "bar",
            "data": {"labels": [r["label"] for r in rows],
                     "datasets": [{"label": _("Customers"), "data": [r["count"] for r in rows],
                                   "backgroundColor": "#3b82f6"}]},
            "options": {"plugins": {"legend": {"display": False}}, "maintainAspectRatio": False}}


def _type_chart(summary) -> dict:
    return {"type": "doughnut",
            "data": {"labels": [r["label"] for r in summary["types"]],
                     "datasets": [{"data": [r["count"] for r in summary["types"]],
                                   "backgroundColor": ["#3b82f6", "#10b981", "#f59e0b", "#8b5cf6", "#94a3b8"]}]},
            "options": {"maintainAspectRatio": False}}


@staff_view(VIEW)
def overview(request):
    today = timezone.localdate()
    summary = selectors.aggregate(Customer.objects.all(), today, by_distributor=True)
    return render(request, "crm/overview.html", {
        "nav": "crm", "summary": summary, "needs": selectors.needs_by_category(Customer.objects.all()),
        "chart": _chart(summary), "type_chart": _type_chart(summary), "active_days": selectors.active_days(),
        "can_see_detail": request.user.has_perm(DETAIL),
    })


@staff_view(DETAIL)
def customer_list(request):
    filterset, qs = filtered_customers(request.GET, selectors.customers())
    if request.GET.get("export") == "xlsx":
        return export_customers(qs.order_by("distributor__code", "name", "pk"), with_distributor=True)
    context = list_context(request, filterset, qs)
    context.update(nav="crm_customers", follow_up_choices=FOLLOW_UP_CHOICES,
                   distributors=Distributor.objects.order_by("code"), provinces=regions.provinces())
    response = render_list(request, "crm/customer_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


@staff_view(DETAIL)
def customer_detail(request, pk):
    try:
        customer = selectors.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    return render(request, "crm/customer_detail.html", {
        "nav": "crm_customers", "customer": customer, "follow_ups": selectors.follow_ups_of(customer),
        "needs": selectors.needs_of(customer), "today": timezone.localdate(), "editable": False,
    })
