"""The distributor's side of visits: its visit history (completed visits only, and never
the internal notes) and the actions assigned to it, which it marks done. Every object is
looked up within the user's own distributor, so another's answers 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError
from dms.core.files import serve_private_file
from dms.core.lists import paginate, render_list
from dms.core.permissions import portal_view

from . import selectors, services
from .models import Visit, VisitAction, VisitPhoto


@portal_view("visits.view_visit")
def visit_history(request):
    distributor_id = request.user.distributor_id
    actions = selectors.portal_actions(distributor_id)
    return render_list(request, "visits/portal/history.html", {
        "nav": "visits", "page_obj": paginate(request, selectors.portal_visits(distributor_id)),
        "open_actions": [a for a in actions if a.status == VisitAction.Status.OPEN],
        "done_actions": [a for a in actions if a.status == VisitAction.Status.DONE][:10],
        "can_close": request.user.has_perm("visits.change_visitaction"),
    })


@portal_view("visits.view_visit")
def visit_detail(request, pk):
    visit = get_object_or_404(selectors.portal_visits(request.user.distributor_id).prefetch_related("photos"), pk=pk)
    return render(request, "visits/portal/detail.html", {
        "nav": "visits", "visit": visit, "actions": visit.actions.all(), "photos": visit.photos.all(),
        "can_close": request.user.has_perm("visits.change_visitaction"),
    })


@require_POST
@portal_view("visits.change_visitaction")
def action_done(request, pk):
    action = get_object_or_404(selectors.portal_actions(request.user.distributor_id), pk=pk)
    try:
        services.complete_action(action_id=action.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as done: %(action)s") % {"action": action.description})
    if request.POST.get("next") == "visit":
        return redirect("visits_portal:detail", pk=action.visit_id)
    return redirect("visits_portal:list")


@portal_view("visits.view_visit")
def photo(request, pk):
    p = get_object_or_404(VisitPhoto.objects.filter(visit__status=Visit.Status.COMPLETED),
                          pk=pk, visit__distributor_id=request.user.distributor_id)
    return serve_private_file(p.file, p.original_filename)
