"""Back-office pages: the feedback inbox (filters, export), a feedback item (triage,
respond, close), the analysis page, and the materials library (CRUD, download counts).

Every page is for brand staff (``staff_view``). Feedback runs in the request's tenant
scope, so another channel manager's distributor's feedback (page, attachment, fragment)
answers 404. Each action makes one service call."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import add_sheet, workbook_response, xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, push_clean_url, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param

from . import charts, selectors, services
from .filters import FEEDBACK_ORDERING, MATERIAL_ORDERING, FeedbackFilter, MaterialFilter
from .forms import MaterialForm, RespondForm, TriageForm
from .models import Feedback, FeedbackAttachment, Material

VIEW = "marketing.view_feedback"
HANDLE = "marketing.handle_feedback"
ANALYSE = "marketing.view_feedback_analysis"
MANAGE = "marketing.change_material"



def _list_response(request, template, context):
    response = render_list(request, template, context)
    return push_clean_url(request, response) if wants_partial(request) else response


def _message(exc: DomainError) -> str:
    if exc.fields:
        first = next(iter(exc.fields.values()))
        return f"{exc.message} {first[0] if isinstance(first, list | tuple) else first}"
    return str(exc.message)


def inline_image(fieldfile, name: str):
    """An image shown in the page (preview), from a private file, after the scoped lookup."""
    if not fieldfile:
        raise Http404
    response = FileResponse(fieldfile.open("rb"), filename=name)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def filtered_feedback(request):
    filterset = FeedbackFilter(request.GET or None, queryset=selectors.feedback_list(), request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.feedback_list()
    return filterset, qs


# --- feedback inbox ------------------------------------------------------------------


def _export_feedback(qs):
    headers = [_("Number"), _("Submitted at"), _("Distributor code"), _("Distributor"), _("Category"), _("Product"),
               _("Title"), _("Details"), _("Rating"), _("Region"), _("Competitor"), _("Competitor price"),
               _("Status"), _("Priority"), _("Actions"), _("Response"), _("Responded at")]
    rows = ([f.number, f.created_at, f.distributor.code, f.distributor.name, f.get_category_display(),
             f.product.name if f.product else "", f.title, f.details, f.rating, f.region_name, f.competitor_name,
             f.competitor_price, f.get_status_display(), f.get_priority_display(),
             ", ".join(t.name for t in f.action_tags.all()), f.response, f.responded_at] for f in qs)
    return xlsx_response("market-feedback", headers, rows, sheet_title=_("Market feedback"))


@staff_view(VIEW)
def feedback_list(request):
    filterset, qs = filtered_feedback(request)
    qs = order_by_param(qs, request.GET.get("sort", ""), FEEDBACK_ORDERING, "-created_at")
    if request.GET.get("export") == "xlsx":
        return _export_feedback(qs)
    context = {
        "nav": "feedback", "page_obj": paginate(request, qs), "filterset": filterset, "q": request.GET,
        "filters_active": any(request.GET.get(k) for k in FeedbackFilter.Meta.fields),
    }
    return _list_response(request, "marketing/feedback_list.html", context)


def _get_feedback(pk) -> Feedback:
    try:
        return selectors.feedback_detail(pk)
    except Feedback.DoesNotExist:
        raise Http404 from None


@staff_view(VIEW)
def feedback_detail(request, pk, triage_form=None, respond_form=None):
    feedback = _get_feedback(pk)
    can_handle = request.user.has_perm(HANDLE)
    context = {
        "nav": "feedback", "feedback": feedback, "can_handle": can_handle,
        "is_open": feedback.status != Feedback.Status.CLOSED,
        "can_respond": Feedback.Status.RESPONDED in Feedback.TRANSITIONS[feedback.status],
        "triage_form": triage_form or TriageForm(initial={"priority": feedback.priority,
                                                          "action_tags": list(feedback.action_tags.all())}),
        "respond_form": respond_form or RespondForm(),
    }
    return render(request, "marketing/feedback_detail.html", context,
                  status=400 if (triage_form or respond_form) else 200)


@require_POST
@staff_view(HANDLE)
def feedback_triage(request, pk):
    feedback = _get_feedback(pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return feedback_detail(request, feedback.pk, triage_form=form)
    try:
        services.triage_feedback(feedback_id=feedback.pk, actor=request.user, priority=form.cleaned_data["priority"],
                                 action_tag_ids=[t.pk for t in form.cleaned_data["action_tags"]])
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return feedback_detail(request, feedback.pk, triage_form=form)
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Priority and actions saved."))
    return redirect("marketing:feedback_detail", pk=feedback.pk)


@require_POST
@staff_view(HANDLE)
def feedback_respond(request, pk):
    feedback = _get_feedback(pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return feedback_detail(request, feedback.pk, respond_form=form)
    try:
        services.respond_feedback(feedback_id=feedback.pk, actor=request.user, response=form.cleaned_data["response"])
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return feedback_detail(request, feedback.pk, respond_form=form)
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Response sent: the distributor sees it in the portal."))
    return redirect("marketing:feedback_detail", pk=feedback.pk)


@require_POST
@staff_view(HANDLE)
def feedback_close(request, pk):
    feedback = _get_feedback(pk)
    try:
        services.close_feedback(feedback_id=feedback.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Feedback %(number)s closed.") % {"number": feedback.number})
    return redirect("marketing:feedback_detail", pk=feedback.pk)


@staff_view(VIEW)
def feedback_attachment(request, pk):
    attachment = get_object_or_404(FeedbackAttachment.objects.select_related("feedback"), pk=pk)
    if request.GET.get("inline") and attachment.is_image:
        return inline_image(attachment.file, attachment.original_name)
    return serve_private_file(attachment.file, attachment.original_name)


# --- analysis ------------------------------------------------------------------------


def _export_analysis(data):
    wb = Workbook()
    wb.remove(wb.active)
    head = [_("Count"), _("Average rating")]
    for title, key, first in ((_("By month"), "by_month", _("Month")), (_("By category"), "by_category", _("Category")),
                              (_("By product"), "by_product", _("Product")),
                              (_("By province"), "by_province", _("Province"))):
        add_sheet(wb, title, [first, *head], ([g["label"] or "—", g["count"], g["average"]] for g in data[key]))
    return workbook_response(wb, "market-feedback-analysis")


@staff_view(ANALYSE)
def analysis(request):
    filterset, qs = filtered_feedback(request)
    data = selectors.feedback_analysis(qs)
    if request.GET.get("export") == "xlsx":
        return _export_analysis(data)
    context = {"nav": "feedback_analysis", "filterset": filterset, "q": request.GET, "data": data,
               "charts": charts.analysis_charts(data),
               "filters_active": any(request.GET.get(k) for k in FeedbackFilter.Meta.fields)}
    return render(request, "marketing/analysis.html", context)


# --- materials -----------------------------------------------------------------------


@staff_view(MANAGE)
def material_list(request):
    filterset = MaterialFilter(request.GET or None, queryset=selectors.visible_materials(request.user))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    qs = order_by_param(qs, request.GET.get("sort", ""), MATERIAL_ORDERING, "-created_at")
    context = {"nav": "materials", "page_obj": paginate(request, qs), "filterset": filterset, "q": request.GET,
               "filters_active": any(request.GET.get(k) for k in MaterialFilter.Meta.fields)}
    return _list_response(request, "marketing/material_list.html", context)


def _material_form_page(request, form, material=None):
    return render(request, "marketing/material_form.html", {"nav": "materials", "form": form, "material": material},
                  status=400 if form.is_bound else 200)


@staff_view("marketing.add_material")
def material_create(request):
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.create_material(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Material “%(title)s” saved.") % {"title": material.title})
            return redirect("marketing:material_detail", pk=material.pk)
    return _material_form_page(request, form)


def _get_material(pk) -> Material:
    return get_object_or_404(Material.objects.prefetch_related("tiers"), pk=pk)


@staff_view(MANAGE)
def material_edit(request, pk):
    material = _get_material(pk)
    form = MaterialForm.for_material(material, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_material(material_id=material.pk, actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Material “%(title)s” saved.") % {"title": form.cleaned_data["title"]})
            return redirect("marketing:material_detail", pk=material.pk)
    return _material_form_page(request, form, material)


@require_POST
@staff_view("marketing.delete_material")
def material_delete(request, pk):
    material = _get_material(pk)
    services.delete_material(material_id=material.pk, actor=request.user)
    messages.success(request, _("Material “%(title)s” deleted.") % {"title": material.title})
    return redirect("marketing:materials")


@staff_view(MANAGE)
def material_detail(request, pk):
    material = _get_material(pk)
    return render(request, "marketing/material_detail.html", {
        "nav": "materials", "material": material, "downloads": selectors.downloads_by_distributor(material)})


@staff_view(MANAGE)
def material_file(request, pk):
    """Staff open the file (not counted as a distributor download)."""
    material = _get_material(pk)
    if request.GET.get("inline") and material.is_image:
        return inline_image(material.file, material.original_name)
    return serve_private_file(material.file, material.original_name)
