"""Training in the portal: the catalogue (mandatory courses first, with their deadlines),
the course page (materials, sessions to register for, the quiz), the quiz and its result,
the distributor's training record and certificates, and the public certificate check.

A course the distributor's tier may not take, or a draft, answers 404 like a missing one;
attempts and certificates are looked up in the user's distributor (and attempts also by
person), so another's are 404 too. Quiz pages never carry the correct answers: they are
compared on the server when the answers are posted.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError
from dms.core.files import serve_private_file
from dms.core.pdf import pdf_response
from dms.core.permissions import portal_view

from . import documents, selectors, services
from .models import Completion, Course, Material, QuizAttempt, TrainingSession

VIEW = "training.view_course"


def _visible_course(request, pk):
    try:
        return selectors.visible_courses(request.user.distributor).prefetch_related(
            "materials", "questions__options").get(pk=pk)
    except Course.DoesNotExist:
        raise Http404 from None


def _error(request, exc: DomainError):
    first = next(iter(exc.fields.values()), [""]) if exc.fields else [""]
    messages.error(request, f"{exc.message} {first[0]}".strip())


@portal_view(VIEW)
def catalogue(request):
    rows = selectors.catalogue(request.user)
    return render(request, "training/portal/catalogue.html", {"nav": "training", "rows": rows})


@portal_view(VIEW)
def course(request, pk):
    course = _visible_course(request, pk)
    mine = selectors.my_course(course, request.user)
    sessions = list(course.sessions.order_by("starts_at"))
    for s in sessions:
        s.mine = mine["registrations"].get(s.pk)
    mandate = next((r for r in selectors.mandates_for(request.user.distributor) if r["course"].pk == course.pk), None)
    return render(request, "training/portal/course.html", {
        "nav": "training", "course": course, "sessions": sessions, "mandate": mandate, **mine,
        "attempts_left": services.attempts_left(course, request.user),
        "questions": course.questions.all()})


@portal_view(VIEW)
def material(request, pk):
    item = get_object_or_404(Material, pk=pk)
    _visible_course(request, item.course_id)
    return serve_private_file(item.file, f"{item.title}.{item.file.name.rsplit('.', 1)[-1]}" if item.file else "")


@require_POST
@portal_view(VIEW)
def session_register(request, pk):
    session = get_object_or_404(TrainingSession, pk=pk)
    _visible_course(request, session.course_id)
    try:
        services.register(session_id=session.pk, user=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("You are registered for the session."))
    return redirect("training_portal:course", pk=session.course_id)


@require_POST
@portal_view(VIEW)
def session_cancel(request, pk):
    session = get_object_or_404(TrainingSession, pk=pk)
    _visible_course(request, session.course_id)
    try:
        services.cancel_registration(session_id=session.pk, user=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("training_portal:course", pk=session.course_id)


@portal_view(VIEW)
def quiz(request, pk):
    course = _visible_course(request, pk)
    questions = list(course.questions.all())
    if not questions:
        raise Http404
    chosen = {}
    if request.method == "POST":
        answers = {str(q.pk): request.POST.getlist(f"q{q.pk}") for q in questions}
        chosen = {k: set(v) for k, v in answers.items()}
        missing = [q for q in questions if not answers[str(q.pk)]]
        if missing:
            messages.error(request, _("Answer every question before submitting (%(n)d left).") % {"n": len(missing)})
        else:
            try:
                attempt = services.submit_quiz(course_id=course.pk, user=request.user, answers=answers)
            except DomainError as exc:
                _error(request, exc)
            else:
                return redirect("training_portal:attempt", pk=attempt.pk)
    for q in questions:
        q.chosen = chosen.get(str(q.pk), set())
    return render(request, "training/portal/quiz.html", {
        "nav": "training", "course": course, "questions": questions,
        "attempts_left": services.attempts_left(course, request.user),
        "completion": Completion.objects.filter(course=course, user=request.user).first()})


@portal_view(VIEW)
def attempt(request, pk):
    attempt = get_object_or_404(QuizAttempt.objects.select_related("course"), pk=pk, user=request.user)
    return render(request, "training/portal/result.html", {
        "nav": "training", "attempt": attempt, "course": attempt.course,
        "completion": Completion.objects.filter(course=attempt.course, user=request.user).first(),
        "attempts_left": services.attempts_left(attempt.course, request.user),
        "needs_session": attempt.passed and attempt.course.requires_session})


@portal_view(VIEW)
def record(request):
    distributor = request.user.distributor
    return render(request, "training/portal/record.html", {
        "nav": "training_record", "record": selectors.distributor_record(distributor)})


@portal_view(VIEW)
def certificate(request, pk):
    completion = get_object_or_404(Completion, pk=pk, distributor_id=request.user.distributor_id,
                                   revoked_at__isnull=True)
    return pdf_response(documents.certificate_pdf(completion), documents.filename(completion))


def verify(request, token):
    """Public: anyone holding the certificate's QR code may check it. Shows the number, the
    course, the date and whether it is valid — not the person or the distributor."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        completion = Completion.objects.select_related("course").filter(token=token).first()
    return render(request, "training/verify.html", {"completion": completion},
                  status=200 if completion else 404)
