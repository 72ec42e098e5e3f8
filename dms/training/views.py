"""Back-office training pages: courses (list, form, the course page with its materials,
sessions, quiz editor and mandates), session attendance, the distributors' training
records, certificates and the completion report.

Courses are the brand's; registrations, attempts and completions come from the scoped
managers, so a channel manager sees only his distributors' people on every page and gets
404 for another's record or certificate. Each action makes one service call.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core import regions
from dms.core.errors import DomainError, ValidationFailed
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.pdf import pdf_response
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor, Tier

from . import documents, selectors, services
from .filters import COURSE_ORDERING, RECORD_ORDERING, CourseFilter, RecordFilter
from .forms import CourseForm, MandateForm, MaterialForm, QuestionForm, SessionForm
from .models import Completion, Course, MandatoryCourse, Material, Question, Registration, TrainingSession

VIEW = "training.view_course"
EDIT = "training.change_course"
ATTEND = "training.mark_attendance"
REPORT = "training.view_training_report"


def _error(request, exc: DomainError):
    first = next(iter(exc.fields.values()), [""]) if exc.fields else [""]
    messages.error(request, f"{exc.message} {first[0]}".strip())


def _course(pk) -> Course:
    try:
        return selectors.course_detail(pk)
    except Course.DoesNotExist:
        raise Http404 from None


# --- courses ---------------------------------------------------------------------------


@staff_view(VIEW)
def course_list(request):
    filterset = CourseFilter(request.GET or None, queryset=selectors.courses())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.courses()
    qs = order_by_param(qs, request.GET.get("sort", ""), COURSE_ORDERING, "title")
    context = {"nav": "training_courses", "page_obj": paginate(request, qs), "q": request.GET,
               "filters_active": any(request.GET.get(k) for k in CourseFilter.Meta.fields),
               "categories": Course.Category.choices, "statuses": Course.Status.choices, "tiers": Tier.objects.all(),
               "mandatory": set(MandatoryCourse.objects.values_list("course_id", flat=True))}
    return render_list(request, "training/course_list.html", context)


@staff_view(EDIT)
def course_form(request, pk=None):
    course = _course(pk) if pk else None
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "target_tiers"}
        try:
            course = services.save_course(course=course, data=data, tiers=form.cleaned_data["target_tiers"],
                                          actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("training:detail", pk=course.pk)
    return render(request, "training/course_form.html", {"nav": "training_courses", "form": form, "course": course})


@staff_view(VIEW)
def course_detail(request, pk, **forms):
    course = _course(pk)
    sessions = list(course.sessions.all())
    context = {
        "nav": "training_courses", "course": course, "sessions": sessions,
        "questions": course.questions.all(), "materials": course.materials.all(), "mandates": course.mandates.all(),
        "can_edit": request.user.has_perm(EDIT),
        "material_form": forms.get("material_form") or MaterialForm(),
        "session_form": forms.get("session_form") or SessionForm(),
        "question_form": forms.get("question_form") or QuestionForm(),
        "mandate_form": forms.get("mandate_form") or MandateForm(),
        "completions": Completion.objects.filter(course=course).count(),
    }
    return render(request, "training/course_detail.html", context, status=400 if forms else 200)


@require_POST
@staff_view(EDIT)
def course_status(request, pk):
    course = _course(pk)
    try:
        services.set_course_status(course_id=course.pk, status=request.POST.get("status", ""), actor=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Course status changed."))
    return redirect("training:detail", pk=course.pk)


def _add(request, pk, form_class, key, call):
    """Bind ``form_class``, call the service with its data; errors re-render the course page."""
    course = _course(pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            call(course, form)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(f"{course.get_absolute_url()}#{key}")
    return course_detail(request, course.pk, **{f"{key}_form": form})


@require_POST
@staff_view(EDIT)
def material_add(request, pk):
    return _add(request, pk, MaterialForm, "material", lambda course, form: services.add_material(
        course_id=course.pk, actor=request.user, **form.cleaned_data))


@require_POST
@staff_view(EDIT)
def material_delete(request, pk):
    material = get_object_or_404(Material, pk=pk)
    services.delete_material(material_id=material.pk, actor=request.user)
    messages.success(request, _("Material removed."))
    return redirect(f"{material.course.get_absolute_url()}#material")


@staff_view(VIEW)
def material_file(request, pk):
    material = get_object_or_404(Material, pk=pk)
    return serve_private_file(material.file, f"{material.title}.{material.file.name.rsplit('.', 1)[-1]}")


@require_POST
@staff_view(EDIT)
def session_add(request, pk):
    return _add(request, pk, SessionForm, "session", lambda course, form: services.add_session(
        course_id=course.pk, actor=request.user, **form.cleaned_data))


@require_POST
@staff_view(EDIT)
def question_add(request, pk):
    return _add(request, pk, QuestionForm, "question", lambda course, form: services.save_question(
        course_id=course.pk, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"], options=form.options(),
        actor=request.user))


@staff_view(EDIT)
def question_edit(request, pk):
    question = get_object_or_404(Question.objects.select_related("course").prefetch_related("options"), pk=pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_question(course_id=question.course_id, question_id=question.pk,
                                   kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                                   options=form.options(), actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect(f"{question.course.get_absolute_url()}#question")
    return render(request, "training/question_form.html",
                  {"nav": "training_courses", "form": form, "question": question, "course": question.course})


@require_POST
@staff_view(EDIT)
def question_delete(request, pk):
    question = get_object_or_404(Question.objects.select_related("course"), pk=pk)
    services.delete_question(question_id=question.pk, actor=request.user)
    messages.success(request, _("Question removed."))
    return redirect(f"{question.course.get_absolute_url()}#question")


@require_POST
@staff_view(EDIT)
def mandate_add(request, pk):
    return _add(request, pk, MandateForm, "mandate", lambda course, form: services.add_mandate(
        course_id=course.pk, actor=request.user, **form.cleaned_data))


@require_POST
@staff_view(EDIT)
def mandate_delete(request, pk):
    mandate = get_object_or_404(MandatoryCourse, pk=pk)
    services.remove_mandate(mandate_id=mandate.pk, actor=request.user)
    messages.success(request, _("The course is no longer mandatory for this tier."))
    return redirect(f"{mandate.course.get_absolute_url()}#mandate")


# --- sessions and attendance -----------------------------------------------------------


@staff_view(VIEW)
def session_detail(request, pk):
    session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=pk)
    registrations = (Registration.objects.filter(session=session).exclude(status=Registration.Status.CANCELLED)
                     .select_related("user", "distributor").order_by("distributor__code", "user__username"))
    if request.method == "POST":
        if not request.user.has_perm(ATTEND):
            raise Http404
        attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        try:
            n = services.mark_attendance(session_id=session.pk, attended_ids=attended, actor=request.user)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Attendance saved: %(n)d attended.") % {"n": n})
        return redirect("training:session", pk=session.pk)
    return render(request, "training/session_detail.html", {
        "nav": "training_courses", "session": session, "registrations": registrations,
        "can_mark": request.user.has_perm(ATTEND), "started": session.starts_at <= timezone.now()})


# --- records, certificates, report --------------------------------------------------------


@staff_view(REPORT)
def record_list(request):
    base = selectors.distributor_summaries(Distributor.objects.all())
    filterset = RecordFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    qs = order_by_param(qs, request.GET.get("sort", ""), RECORD_ORDERING, "code")
    return render_list(request, "training/record_list.html", {
        "nav": "training_records", "page_obj": paginate(request, qs), "q": request.GET,
        "filters_active": any(request.GET.get(k) for k in RecordFilter.Meta.fields),
        "tiers": Tier.objects.all(), "provinces": regions.provinces()})


@staff_view(REPORT)
def record_detail(request, pk):
    distributor = get_object_or_404(Distributor.objects.select_related("tier"), pk=pk)
    return render(request, "training/record_detail.html", {
        "nav": "training_records", "distributor": distributor, "record": selectors.distributor_record(distributor)})


@staff_view(REPORT)
def certificate(request, pk):
    completion = get_object_or_404(Completion, pk=pk)
    return pdf_response(documents.certificate_pdf(completion), documents.filename(completion))


@require_POST
@staff_view("training.change_completion")
def certificate_revoke(request, pk):
    completion = get_object_or_404(Completion, pk=pk)
    services.revoke_certificate(completion_id=completion.pk, actor=request.user)
    messages.success(request, _("Certificate %(number)s revoked.") % {"number": completion.certificate_number})
    return redirect("training:record", pk=completion.distributor_id)


def _report_params(request) -> dict:
    get = request.GET
    tier = get.get("tier", "")
    return {"category": get.get("category", "") if get.get("category") in Course.Category.values else "",
            "tier_id": int(tier) if tier.isdigit() else None,
            "province": get.get("province", "") if get.get("province", "").isdigit() else "",
            "course_ids": [int(c) for c in get.getlist("course") if c.isdigit()],
            "mandatory_only": bool(get.get("mandatory"))}


@staff_view(REPORT)
def report(request):
    data = selectors.completion_report(**_report_params(request))
    if request.GET.get("export") == "xlsx":
        return _export_report(data)
    return render(request, "training/report.html", {
        "nav": "training_report", "report": data, "q": request.GET,
        "chart": selectors.chart_config(data, _("Completion rate (%)")),
        "categories": Course.Category.choices, "tiers": Tier.objects.all(), "provinces": regions.provinces(),
        "courses": Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title"),
        "selected_courses": _report_params(request)["course_ids"]})


def _export_report(data):
    from openpyxl import Workbook

    from dms.core.excel import add_sheet, workbook_response

    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, _("By course"), [_("Course"), _("Category"), _("Distributors"), _("Completed"), _("Rate (%)")],
              ([r["course"].title, r["course"].get_category_display(), r["targets"], r["done"], r["rate"]]
               for r in data["by_course"]))
    add_sheet(wb, _("By province"), [_("Province"), _("Expected"), _("Completed"), _("Rate (%)")],
              ([r["name"], r["targets"], r["done"], r["rate"]] for r in data["by_province"]))
    return workbook_response(wb, "training-completion")

