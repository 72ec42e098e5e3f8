"""Panels this app adds to the back-office and portal dashboards."""

from django.urls import reverse

from . import selectors


def backoffice_panel(request):
    """New (untriaged) feedback in the user's scope."""
    if not request.user.has_perm("marketing.view_feedback"):
        return None
    url = reverse("marketing:feedback_list")
    return "marketing/panel_backoffice.html", {"new": selectors.new_feedback_count(), "url": url,
                                               "new_url": f"{url}?status=new"}


def portal_panel(request, distributor):
    """The latest materials the distributor's tier may download."""
    if not request.user.has_perm("marketing.view_material"):
        return None
    return "marketing/panel_portal.html", {"materials": list(selectors.visible_materials(request.user)
                                                             .order_by("-created_at", "-id")[:4])}
