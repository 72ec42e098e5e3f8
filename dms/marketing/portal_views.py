"""Portal pages: the distributor's market feedback (list, new, detail with the brand's
response) and the materials library of its tier (grid, search, download).

Feedback is looked up in the user's distributor, so another's is a 404; a material the
distributor's tier may not see is a 404 too (``selectors.visible_materials``)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dms.core.errors import ValidationFailed
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.permissions import portal_view
from dms.distributors.models import Distributor

from . import selectors, services
from .forms import FeedbackForm
from .models import Feedback, FeedbackAttachment, Material
from .views import inline_image


@portal_view("marketing.view_feedback")
def feedback_list(request):
    qs = Feedback.objects.filter(distributor_id=request.user.distributor_id).select_related("product")
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(title__icontains=search) | Q(details__icontains=search))
    status = request.GET.get("status", "")
    if status in Feedback.Status.values:
        qs = qs.filter(status=status)
    return render_list(request, "marketing/portal/feedback_list.html", {
        "nav": "feedback", "page_obj": paginate(request, qs), "search": search, "status": status,
        "status_choices": Feedback.Status.choices,
    })


@portal_view("marketing.add_feedback")
def feedback_create(request):
    distributor = Distributor.objects.get(pk=request.user.distributor_id)
    initial = {"region_code": services.default_region(distributor), "rating": 3}
    form = FeedbackForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.submit_feedback(
                distributor_id=distributor.pk, actor=request.user, category=data["category"], title=data["title"],
                details=data["details"], rating=data["rating"], product_id=data["product"].pk if data["product"] else None,
                region_code=data["region_code"], competitor_name=data["competitor_name"],
                competitor_price=data["competitor_price"], attachments=data["attachments"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: feedback %(number)s is sent to your channel manager.")
                             % {"number": feedback.number})
            return redirect("marketing_portal:feedback_detail", pk=feedback.pk)
    return render(request, "marketing/portal/feedback_form.html", {"nav": "feedback", "form": form},
                  status=400 if form.is_bound else 200)


def _own_feedback(request, pk):
    return get_object_or_404(Feedback.objects.select_related("product", "submitted_by"), pk=pk,
                             distributor_id=request.user.distributor_id)


@portal_view("marketing.view_feedback")
def feedback_detail(request, pk):
    feedback = _own_feedback(request, pk)
    return render(request, "marketing/portal/feedback_detail.html", {
        "nav": "feedback", "feedback": feedback, "attachments": feedback.attachments.all()})


@portal_view("marketing.view_feedback")
def feedback_attachment(request, pk):
    attachment = get_object_or_404(FeedbackAttachment, pk=pk, feedback__distributor_id=request.user.distributor_id)
    if request.GET.get("inline") and attachment.is_image:
        return inline_image(attachment.file, attachment.original_name)
    return serve_private_file(attachment.file, attachment.original_name)


# --- materials -----------------------------------------------------------------------


@portal_view("marketing.view_material")
def materials(request):
    qs = selectors.visible_materials(request.user)
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search) | Q(tags__icontains=search))
    category = request.GET.get("category", "")
    if category in Material.Category.values:
        qs = qs.filter(category=category)
    return render_list(request, "marketing/portal/materials.html", {
        "nav": "materials", "page_obj": paginate(request, qs.order_by("-created_at", "-id"), per_page=12),
        "search": search, "category": category, "category_choices": Material.Category.choices,
    })


def _visible_material(request, pk) -> Material:
    return get_object_or_404(selectors.visible_materials(request.user), pk=pk)


@portal_view("marketing.view_material")
def material_download(request, pk):
    """Counts the download, then serves the file (or opens the link)."""
    material = _visible_material(request, pk)
    services.record_download(material_id=material.pk, user=request.user)
    if material.file:
        return serve_private_file(material.file, material.original_name)
    if material.link:
        return HttpResponseRedirect(material.link)
    raise Http404


@portal_view("marketing.view_material")
def material_preview(request, pk):
    """An image shown in the grid (not counted as a download)."""
    material = _visible_material(request, pk)
    if not material.is_image:
        raise Http404
    return inline_image(material.file, material.original_name)
