"""Back-office visit pages: the list (filters, export), the month calendar, the due list,
the action list, planning and recording a visit, the visit page (complete, cancel, edit,
actions, photos).

Every page is for brand staff (``staff_view``) and runs in the request's tenant scope, so
another channel manager's distributor's visit (page, photo, fragment) answers 404. Each
action makes one service call.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, push_clean_url, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param

from . import schedule as sched
from . import selectors, services
from .filters import ACTION_ORDERING, VISIT_ORDERING, ActionFilter, VisitFilter
from .forms import ActionForm, CancelForm, EditForm, PhotoForm, PlanForm, RecordForm, RecordNewForm
from .models import Visit, VisitAction, VisitPhoto

VIEW = "visits.view_visit"
ADD = "visits.add_visit"
CHANGE = "visits.change_visit"
CHANGE_ACTION = "visits.change_visitaction"


def _get_visit(pk) -> Visit:
    try:
        return selectors.visit_detail(pk)
    except Visit.DoesNotExist:
        raise Http404 from None


def _manager_id(request) -> int | None:
    """The manager chosen on the calendar and due list. A channel manager has no choice:
    his scope already holds just his distributors (with their visits by colleagues too)."""
    if selectors.own_only(request.user):
        return None
    value = request.GET.get("manager", "")
    return int(value) if value.isdigit() else None



def _error(request, exc: DomainError):
    first = next(iter(exc.fields.values()), None) if exc.fields else None
    detail = f" {first[0] if isinstance(first, list | tuple) else first}" if first else ""
    messages.error(request, f"{exc.message}{detail}")


def _list_response(request, template, context):
    response = render_list(request, template, context)
    return push_clean_url(request, response) if wants_partial(request) else response


# --- list and export -----------------------------------------------------------------


def _export(qs):
    headers = [_("Date"), _("Status"), _("Type"), _("Distributor code"), _("Distributor"), _("Visited by"),
               _("Distributor participants"), _("Topics"), _("Problems found"), _("Internal notes"),
               _("Open actions")]
    rows = ([v.date, v.get_status_display(), v.get_type_display(), v.distributor.code, v.distributor.name,
             (v.manager.get_full_name() or v.manager.username) if v.manager else "", v.participants, v.topics,
             v.problems, v.internal_notes, v.open_actions] for v in qs.iterator(chunk_size=2000))
    return xlsx_response("visits", headers, rows, sheet_title=_("Visits"))


@staff_view(VIEW)
def visit_list(request):
    filterset = VisitFilter(request.GET, queryset=selectors.visits())
    qs = filterset.qs if filterset.is_valid() else selectors.visits()
    qs = order_by_param(qs, request.GET.get("sort", ""), VISIT_ORDERING, "-planned_date")
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    context = {
        "nav": "visits", "page_obj": paginate(request, qs), "filterset": filterset, "q": request.GET,
        "filters_active": any(request.GET.get(k) for k in VisitFilter.Meta.fields),
        "statuses": filterset.filters["status"].extra["choices"], "types": Visit.Type.choices,
        "managers": None if selectors.own_only(request.user) else selectors.managers(),
    }
    return _list_response(request, "visits/visit_list.html", context)


# --- calendar and due list -------------------------------------------------------------


def _month(value: str) -> dt.date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@staff_view(VIEW)
def visit_calendar(request):
    first = _month(request.GET.get("month", ""))
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=31)).replace(day=1)
    manager_id = _manager_id(request)
    context = {
        "nav": "visit_calendar", "month": first, "prev": f"{prev_month:%Y-%m}", "next": f"{next_month:%Y-%m}",
        "this_month": f"{timezone.localdate():%Y-%m}",
        "weeks": selectors.month_grid(year=first.year, month=first.month, manager_id=manager_id),
        "managers": None if selectors.own_only(request.user) else selectors.managers(), "manager_id": manager_id,
    }
    return render(request, "visits/calendar.html", context)


@staff_view(VIEW)
def due_list(request):
    state = request.GET.get("state", "due")
    rows = sched.schedule(manager_id=_manager_id(request))
    if state == "due":
        rows = [r for r in rows if r.state != "later"]
    elif state in ("overdue", "soon"):
        rows = [r for r in rows if r.state == state]
    context = {
        "nav": "visit_due", "page_obj": paginate(request, rows), "state": state, "q": request.GET,
        "soon_days": sched.SOON_DAYS, "managers": None if selectors.own_only(request.user) else selectors.managers(),
        "filters_active": bool(request.GET.get("manager")) or state != "due",
    }
    return _list_response(request, "visits/due_list.html", context)


@staff_view(VIEW)
def action_list(request):
    data = request.GET.copy()
    data.setdefault("status", VisitAction.Status.OPEN)
    if data["status"] == "all":
        data["status"] = ""
    filterset = ActionFilter(data, queryset=selectors.actions(), request=request)
    qs = filterset.qs if filterset.is_valid() else selectors.actions()
    qs = order_by_param(qs, request.GET.get("sort", ""), ACTION_ORDERING, "due_date")
    context = {
        "nav": "visit_actions", "page_obj": paginate(request, qs), "q": request.GET,
        "status": request.GET.get("status", VisitAction.Status.OPEN), "statuses": VisitAction.Status.choices,
        "owners": filterset.filters["owner"].extra["choices"],
        "filters_active": any(request.GET.get(k) for k in ("search", "owner", "overdue", "status")),
        "can_change": request.user.has_perm(CHANGE_ACTION),
    }
    return _list_response(request, "visits/action_list.html", context)


# --- plan / record -------------------------------------------------------------------


@staff_view(ADD)
def visit_create(request):
    record_now = request.GET.get("record") == "1" or request.POST.get("record") == "1"
    form_class = RecordNewForm if record_now else PlanForm
    initial = {k: request.GET[k] for k in ("distributor", "planned_date") if request.GET.get(k)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        distributor, manager = data.pop("distributor"), data.pop("manager")
        try:
            if record_now:
                record = RecordForm.record(form)
                for name in ("distributor", "manager"):
                    record.pop(name, None)
                visit = services.record_visit(distributor_id=distributor.pk, actor=request.user,
                                              manager_id=manager.pk if manager else None, **record)
            else:
                visit = services.create_visit(distributor_id=distributor.pk, actor=request.user,
                                              manager_id=manager.pk if manager else None, **data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Visit recorded.") if record_now else _("Visit planned."))
            return redirect("visits:detail", pk=visit.pk)
    return render(request, "visits/visit_form.html", {"nav": "visits", "form": form, "record_now": record_now},
                  status=400 if form.errors else 200)


# --- the visit page and its actions ----------------------------------------------------


@staff_view(VIEW)
def visit_detail(request, pk, record_form=None, action_form=None, photo_form=None):
    visit = _get_visit(pk)
    can_change = request.user.has_perm(CHANGE)
    planned = visit.status == Visit.Status.PLANNED
    open_for_more = visit.status != Visit.Status.CANCELLED and can_change
    context = {
        "nav": "visits", "visit": visit, "actions": visit.actions.all(), "photos": visit.photos.all(),
        "can_change": can_change, "can_change_action": request.user.has_perm(CHANGE_ACTION),
        "record_form": record_form or (RecordForm(initial={"type": visit.type, "topics": visit.topics})
                                       if planned and can_change else None),
        "action_form": action_form or (ActionForm() if open_for_more else None),
        "photo_form": photo_form or (PhotoForm() if open_for_more else None),
        "cancel_form": CancelForm() if planned and can_change else None,
        "due": sched.next_due(visit.distributor),
    }
    status = 400 if (record_form or action_form or photo_form) else 200
    return render(request, "visits/visit_detail.html", context, status=status)


@staff_view(CHANGE)
def visit_edit(request, pk):
    visit = _get_visit(pk)
    if visit.status == Visit.Status.CANCELLED:
        messages.error(request, _("A cancelled visit cannot be edited."))
        return redirect("visits:detail", pk=visit.pk)
    initial = {name: getattr(visit, name) for name in ("planned_date", "visit_date", "type", "participants",
                                                        "topics", "problems", "internal_notes")}
    initial["staff_participants"] = list(visit.staff_participants.all())
    form = EditForm(request.POST or None, visit=visit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_visit(visit_id=visit.pk, actor=request.user, **form.changes())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Visit saved."))
            return redirect("visits:detail", pk=visit.pk)
    return render(request, "visits/visit_edit.html", {"nav": "visits", "visit": visit, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@staff_view(CHANGE)
def visit_complete(request, pk):
    visit = _get_visit(pk)
    form = RecordForm(request.POST)
    if not form.is_valid():
        return visit_detail(request, visit.pk, record_form=form)
    try:
        services.complete_visit(visit_id=visit.pk, actor=request.user, **form.record())
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return visit_detail(request, visit.pk, record_form=form)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Visit recorded; the distributor has been sent the summary."))
    return redirect("visits:detail", pk=visit.pk)


@require_POST
@staff_view(CHANGE)
def visit_cancel(request, pk):
    visit = _get_visit(pk)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.cancel_visit(visit_id=visit.pk, reason=form.cleaned_data.get("reason", ""), actor=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect("visits:detail", pk=visit.pk)


@require_POST
@staff_view(CHANGE)
def action_add(request, pk):
    visit = _get_visit(pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return visit_detail(request, visit.pk, action_form=form)
    try:
        services.add_action(visit_id=visit.pk, actor=request.user, **form.data_for_service())
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return visit_detail(request, visit.pk, action_form=form)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Action added."))
    return redirect("visits:detail", pk=visit.pk)


@require_POST
@staff_view(CHANGE_ACTION)
def action_done(request, pk):
    action = get_object_or_404(VisitAction.objects.select_related("visit"), pk=pk)
    try:
        if request.POST.get("reopen"):
            services.reopen_action(action_id=action.pk, actor=request.user)
        else:
            services.complete_action(action_id=action.pk, actor=request.user)
    except DomainError as exc:
        _error(request, exc)
    if request.POST.get("next") == "actions":
        return redirect("visits:actions")
    return redirect("visits:detail", pk=action.visit_id)


@require_POST
@staff_view(CHANGE)
def photo_add(request, pk):
    visit = _get_visit(pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return visit_detail(request, visit.pk, photo_form=form)
    try:
        services.add_photo(visit_id=visit.pk, upload=form.cleaned_data["photo"], actor=request.user)
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return visit_detail(request, visit.pk, photo_form=form)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Photo added."))
    return redirect("visits:detail", pk=visit.pk)


@staff_view(VIEW)
def photo(request, pk):
    p = get_object_or_404(VisitPhoto, pk=pk)
    return serve_private_file(p.file, p.original_filename)
