from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control

from . import regions
from .permissions import staff_view


def _url(name, **query):
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _distributor_stats():
    from dms.distributors.models import Distributor

    by_status = dict(Distributor.objects.order_by().values_list("status").annotate(n=Count("pk")))
    statuses = [
        {"value": value, "label": label, "count": by_status.get(value, 0),
         "url": _url("distributors:list", status=value)}
        for value, label in Distributor.Status.choices
    ]
    tiers = [
        {"label": row["tier__name"], "count": row["n"], "url": _url("distributors:list", tier=row["tier__level"])}
        for row in Distributor.objects.order_by("tier__level").values("tier__level", "tier__name").annotate(
            n=Count("pk"))
    ]
    names = dict(regions.provinces())
    rows = list(
        Distributor.objects.exclude(region_code="").annotate(province=Substr("region_code", 1, 2))
        .values("province").annotate(n=Count("pk")).order_by("-n", "province")[:10]
    )
    top = max((r["n"] for r in rows), default=0)
    provinces = [
        {"label": names.get(r["province"], r["province"]), "count": r["n"], "max": top,
         "url": _url("distributors:list", province=r["province"])}
        for r in rows
    ]
    return {"total": sum(by_status.values()), "statuses": statuses, "tiers": tiers, "provinces": provinces}


def _review_stats(today):
    from dms.distributors.models import Review

    pending = Review.objects.filter(status=Review.Status.PENDING)
    counts = pending.aggregate(pending=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    counts["oldest"] = list(pending.select_related("distributor", "step").order_by("due_date", "created_at")[:5])
    counts["url"] = _url("distributors:reviews", status="pending")
    counts["overdue_url"] = _url("distributors:reviews", status="pending", overdue="true")
    return counts


def _qualification_stats(today):
    from dms.distributors.models import Qualification
    from dms.distributors.selectors import QUALIFICATION_EXPIRING_DAYS, qualification_quick_q

    counts = Qualification.objects.aggregate(**{
        name: Count("pk", filter=qualification_quick_q(name, today)) for name in ("expiring", "expired", "pending")
    })
    counts["days"] = QUALIFICATION_EXPIRING_DAYS
    for name in ("expiring", "expired", "pending"):
        counts[f"{name}_url"] = _url("distributors:qualifications", quick=name)
    return counts


def _contract_stats(today):
    from dms.distributors.models import Contract
    from dms.distributors.selectors import CONTRACT_EXPIRING_DAYS, contract_quick_q

    counts = Contract.objects.aggregate(
        active=Count("pk", filter=Q(status=Contract.Status.ACTIVE)),
        expiring=Count("pk", filter=contract_quick_q("expiring", today)),
        expired=Count("pk", filter=contract_quick_q("expired", today)),
    )
    counts["soon"] = list(
        Contract.objects.filter(contract_quick_q("expiring", today)).select_related("distributor").order_by(
            "end_date")[:5]
    )
    counts["days"] = CONTRACT_EXPIRING_DAYS
    counts["active_url"] = _url("distributors:contracts", status="active")
    counts["expiring_url"] = _url("distributors:contracts", quick="expiring")
    counts["expired_url"] = _url("distributors:contracts", quick="expired")
    return counts


def _order_stats(user):
    from dms.orders.models import Order, ReturnRequest
    from dms.orders.selectors import review_queue

    counts = Order.objects.aggregate(
        submitted=Count("pk", filter=Q(status=Order.Status.SUBMITTED)),
        to_ship=Count("pk", filter=Q(status__in=[Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED])),
    )
    counts["returns"] = ReturnRequest.objects.filter(status=ReturnRequest.Status.REQUESTED).count()
    counts["submitted_url"] = _url("orders:list", status=Order.Status.SUBMITTED)
    counts["to_ship_url"] = _url("orders:list", status=Order.Status.APPROVED)
    counts["returns_url"] = _url("orders:returns", status=ReturnRequest.Status.REQUESTED)
    if user.has_perm("orders.approve_order"):
        counts["my_queue"] = review_queue(user).count()
        counts["queue_url"] = _url("orders:queue")
    return counts


def _stock_stats():
    from dms.inventory.models import LowStockAlert, ReplenishmentSuggestion

    return {
        "alerts": LowStockAlert.objects.filter(resolved_at__isnull=True).count(),
        "suggestions": ReplenishmentSuggestion.objects.filter(status=ReplenishmentSuggestion.Status.OPEN).count(),
        "alerts_url": _url("inventory:alerts"),
        "suggestions_url": _url("inventory:suggestions"),
    }


@staff_view()
def dashboard(request):
    """What needs attention, counted in the user's scope (a channel manager sees only his
    distributors). Each number links to the list it counts."""
    user, today = request.user, timezone.localdate()
    context = {"nav": "dashboard", "today": today}
    if user.has_perm("distributors.view_distributor"):
        context["distributors"] = _distributor_stats()
    if user.has_perm("distributors.view_review"):
        context["reviews"] = _review_stats(today)
    if user.has_perm("distributors.view_qualification"):
        context["qualifications"] = _qualification_stats(today)
    if user.has_perm("distributors.view_contract"):
        context["contracts"] = _contract_stats(today)
    if user.has_perm("orders.view_order"):
        context["orders"] = _order_stats(user)
    if user.has_perm("inventory.view_stocklevel"):
        context["stock"] = _stock_stats()
    context["panels"] = feature_panels("backoffice_panel", request)
    return render(request, "core/dashboard.html", context)


def feature_panels(hook, *args):
    """The dashboard panels the feature apps add: [{"template", "context"}, …] in app order."""
    from importlib import import_module

    from django.conf import settings

    panels = []
    for app in settings.DMS_FEATURE_APPS:
        panel = getattr(import_module(f"dms.{app}.dashboard"), hook)(*args)
        if panel is not None:
            panels.append({"template": panel[0], "context": panel[1]})
    return panels


@cache_control(max_age=86400, public=True)
def region_children(request):
    """Children of a region code (provinces when no parent), for the region pickers.
    Public reference data, also used by the self-registration form."""
    parent = request.GET.get("parent", "")
    items = regions.children(parent) if parent else regions.provinces()
    return JsonResponse({"results": [{"code": c, "name": n} for c, n in items]})
