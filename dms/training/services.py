"""Training writes: courses and their materials, sessions, quiz and mandates (brand staff);
session registration, quiz submission and attendance, which complete a course and issue
its certificate; the daily deadline reminders.

Rules kept here:
* a session never takes more registrations than its capacity — the seat is taken with one
  conditional UPDATE (``registered_count < capacity``) checked by its row count, and the
  database refuses anything beyond (check constraint);
* quizzes are scored here, never in the browser; attempts are counted under a lock on the
  participant's row so two tabs cannot exceed the limit;
* a course is completed when its quiz is passed (if it has one) and a session attended (if
  it requires one); the completion carries the certificate number and is issued once.
"""

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import Conflict, NotAllowed, ValidationFailed
from dms.core.files import validate_document
from dms.core.models import next_value

from . import notify
from .models import (
    Completion,
    Course,
    DeadlineReminder,
    MandatoryCourse,
    Material,
    Option,
    Question,
    QuizAttempt,
    Registration,
    TrainingSession,
)

VIDEO_TYPES = {"video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov"}
# A reminder is sent this many days before a mandatory course's deadline.
DUE_SOON_DAYS = getattr(settings, "TRAINING_DUE_SOON_DAYS", 14)


class SessionFull(Conflict):
    code = "session_full"
    default_message = _("This session is full.")


class NoAttemptsLeft(Conflict):
    code = "no_attempts_left"


def _required(fields: dict) -> None:
    errors = {name: [_("This field is required.")] for name, value in fields.items() if not str(value or "").strip()}
    if errors:
        raise ValidationFailed(fields=errors)


# --- courses (staff) -----------------------------------------------------------------


@transaction.atomic
def save_course(*, course: Course | None = None, data: dict, tiers=(), actor) -> Course:
    """Create or update a course from cleaned form data (the model's own fields)."""
    _required({"title": data.get("title")})
    course = course or Course()
    for name, value in data.items():
        setattr(course, name, value)
    course.save()
    course.target_tiers.set(tiers)
    return course


@transaction.atomic
def set_course_status(*, course_id: int, status: str, actor) -> Course:
    course = Course.objects.select_for_update().get(pk=course_id)
    if status not in Course.Status.values:
        raise ValidationFailed(fields={"status": [_("Unknown status.")]})
    if status == Course.Status.PUBLISHED and not (course.materials.exists() or course.questions.exists()
                                                 or course.sessions.exists()):
        raise ValidationFailed(_("Add materials, a session or a quiz before publishing the course."))
    if course.status != status:
        course.status = status
        course.save(update_fields=["status", "updated_at"])
        if status == Course.Status.PUBLISHED:
            for mandate in course.mandates.all():
                transaction.on_commit(lambda pk=mandate.pk: send_deadline_reminders(mandate_id=pk))
    return course


def _check_video(upload) -> str:
    import filetype

    if upload.size > settings.UPLOAD_MAX_BYTES * 20:
        raise ValidationFailed(fields={"file": [_("The video is too large.")]})
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in VIDEO_TYPES:
        raise ValidationFailed(fields={"file": [_("Only MP4, WebM and MOV videos are accepted.")]})
    return VIDEO_TYPES[kind.mime]


@transaction.atomic
def add_material(*, course_id: int, kind: str, title: str, file=None, url: str = "", actor) -> Material:
    """A document (PDF/JPG/PNG, checked by content), a video (an uploaded file or a link) or
    an external link."""
    course = Course.objects.select_for_update().get(pk=course_id)
    _required({"title": title})
    if kind not in Material.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown kind.")]})
    if kind == Material.Kind.DOCUMENT:
        if not file:
            raise ValidationFailed(fields={"file": [_("Choose a file.")]})
        validate_document(file)
        url = ""
    elif kind == Material.Kind.VIDEO:
        if file:
            _check_video(file)
            url = ""
        elif not url:
            raise ValidationFailed(fields={"url": [_("Upload a video or give its link.")]})
    else:
        file = None
        if not url:
            raise ValidationFailed(fields={"url": [_("This field is required.")]})
    position = course.materials.count()
    material = Material.objects.create(course=course, kind=kind, title=title.strip()[:128], file=file or "",
                                       url=url if not file else "", position=position)
    record(action=AuditLog.Action.CREATE, instance=material, message=str(course), actor=actor)
    return material


@transaction.atomic
def delete_material(*, material_id: int, actor) -> None:
    material = Material.objects.select_related("course").get(pk=material_id)
    record(action=AuditLog.Action.DELETE, instance=material, message=str(material.course), actor=actor)
    if material.file:
        material.file.delete(save=False)
    material.delete()


@transaction.atomic
def add_session(*, course_id: int, mode: str, starts_at, ends_at, capacity: int, place: str = "",
                meeting_link: str = "", actor) -> TrainingSession:
    course = Course.objects.get(pk=course_id)
    errors = {}
    if mode == TrainingSession.Mode.ONLINE and not meeting_link:
        errors["meeting_link"] = [_("An online session needs its meeting link.")]
    if mode == TrainingSession.Mode.ON_SITE and not (place or "").strip():
        errors["place"] = [_("An on-site session needs its place.")]
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if not capacity or capacity < 1:
        errors["capacity"] = [_("At least one seat.")]
    if errors:
        raise ValidationFailed(fields=errors)
    session = TrainingSession.objects.create(
        course=course, mode=mode, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
        place=(place or "").strip() if mode == TrainingSession.Mode.ON_SITE else "",
        meeting_link=meeting_link if mode == TrainingSession.Mode.ONLINE else "")
    record(action=AuditLog.Action.CREATE, instance=session, actor=actor)
    return session


def _clean_options(kind: str, options: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    options = [(text.strip(), bool(ok)) for text, ok in options if (text or "").strip()]
    correct = sum(ok for _t, ok in options)
    if kind == Question.Kind.TRUE_FALSE:
        if correct != 1 or len(options) != 2:
            raise ValidationFailed(fields={"options": [_("Say whether the statement is true or false.")]})
    elif len(options) < 2:
        raise ValidationFailed(fields={"options": [_("Give at least two answers.")]})
    elif kind == Question.Kind.SINGLE and correct != 1:
        raise ValidationFailed(fields={"options": [_("Mark exactly one answer as correct.")]})
    elif kind == Question.Kind.MULTIPLE and correct < 1:
        raise ValidationFailed(fields={"options": [_("Mark at least one answer as correct.")]})
    return options


@transaction.atomic
def save_question(*, course_id: int, kind: str, text: str, options: list[tuple[str, bool]],
                  question_id: int | None = None, actor) -> Question:
    """Create or replace a question and its options (``[(text, is_correct)]``)."""
    _required({"text": text})
    if kind not in Question.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown kind.")]})
    options = _clean_options(kind, options)
    if question_id:
        question = Question.objects.select_for_update().get(pk=question_id, course_id=course_id)
        question.kind, question.text = kind, text.strip()
        question.save()
        question.options.all().delete()
    else:
        position = Question.objects.filter(course_id=course_id).count()
        question = Question.objects.create(course_id=course_id, kind=kind, text=text.strip(), position=position)
    Option.objects.bulk_create([Option(question=question, text=t[:255], is_correct=ok, position=i)
                                for i, (t, ok) in enumerate(options)])
    record(action=AuditLog.Action.UPDATE if question_id else AuditLog.Action.CREATE, instance=question,
           message=str(question.course), actor=actor)
    return question


@transaction.atomic
def delete_question(*, question_id: int, actor) -> None:
    question = Question.objects.get(pk=question_id)
    record(action=AuditLog.Action.DELETE, instance=question, actor=actor)
    question.delete()


@transaction.atomic
def add_mandate(*, course_id: int, tier, due_date=None, within_days=None, required_people: int = 1,
                actor) -> MandatoryCourse:
    course = Course.objects.get(pk=course_id)
    if (due_date is None) == (within_days is None):
        raise ValidationFailed(fields={"due_date": [_("Give either a deadline or a number of days after activation.")]})
    if MandatoryCourse.objects.filter(course=course, tier=tier).exists():
        raise ValidationFailed(fields={"tier": [_("This course is already mandatory for this tier.")]})
    mandate = MandatoryCourse.objects.create(course=course, tier=tier, due_date=due_date, within_days=within_days,
                                             required_people=max(required_people or 1, 1))
    record(action=AuditLog.Action.CREATE, instance=mandate, actor=actor)
    if course.status == Course.Status.PUBLISHED:
        transaction.on_commit(lambda: send_deadline_reminders(mandate_id=mandate.pk))
    return mandate


@transaction.atomic
def remove_mandate(*, mandate_id: int, actor) -> None:
    mandate = MandatoryCourse.objects.get(pk=mandate_id)
    record(action=AuditLog.Action.DELETE, instance=mandate, actor=actor)
    mandate.delete()


# --- registration and attendance -------------------------------------------------------


def _visible(course: Course, user) -> bool:
    if course.status != Course.Status.PUBLISHED:
        return False
    tiers = set(course.target_tiers.values_list("pk", flat=True))
    return not tiers or user.distributor.tier_id in tiers


def _participant(user, course: Course):
    if not getattr(user, "distributor_id", None):
        raise NotAllowed(_("Only distributor users take courses."))
    if not _visible(course, user):
        raise NotAllowed(_("This course is not open to your distributor."))


@transaction.atomic
def register(*, session_id: int, user) -> Registration:
    """Take a seat; a second registration of the same person is a no-op."""
    session = TrainingSession.objects.select_related("course").get(pk=session_id)
    _participant(user, session.course)
    if session.starts_at <= timezone.now():
        raise ValidationFailed(_("This session has already started."))
    existing = Registration.objects.filter(session=session, user=user).first()
    if existing and existing.status == Registration.Status.REGISTERED:
        return existing
    taken = TrainingSession.objects.filter(pk=session.pk, registered_count__lt=F("capacity")).update(
        registered_count=F("registered_count") + 1)
    if not taken:
        raise SessionFull()
    if existing:
        existing.status, existing.registered_at = Registration.Status.REGISTERED, timezone.now()
        existing.save(update_fields=["status", "registered_at"])
        return existing
    return Registration.objects.create(session=session, user=user, distributor_id=user.distributor_id)


@transaction.atomic
def cancel_registration(*, session_id: int, user) -> Registration:
    reg = Registration.objects.select_for_update().select_related("session").filter(
        session_id=session_id, user=user).first()
    if reg is None:
        raise ValidationFailed(_("You are not registered for this session."))
    if reg.status == Registration.Status.CANCELLED:
        return reg
    if reg.status != Registration.Status.REGISTERED or reg.session.starts_at <= timezone.now():
        raise ValidationFailed(_("The session has started; the registration can no longer be cancelled."))
    reg.status = Registration.Status.CANCELLED
    reg.save(update_fields=["status"])
    TrainingSession.objects.filter(pk=session_id, registered_count__gt=0).update(
        registered_count=F("registered_count") - 1)
    return reg


@transaction.atomic
def mark_attendance(*, session_id: int, attended_ids: set[int], actor) -> int:
    """Mark each registration in scope as attended (in ``attended_ids``) or absent; an
    attendee who passed the quiz completes the course. Returns how many were attended."""
    session = TrainingSession.objects.select_for_update().select_related("course").get(pk=session_id)
    if session.starts_at > timezone.now():
        raise ValidationFailed(_("Attendance can be recorded once the session has started."))
    regs = list(Registration.objects.select_for_update().filter(session=session).exclude(
        status=Registration.Status.CANCELLED).select_related("user"))
    count = 0
    for reg in regs:
        new = Registration.Status.ATTENDED if reg.pk in attended_ids else Registration.Status.ABSENT
        count += new == Registration.Status.ATTENDED
        if reg.status != new:
            record(action=AuditLog.Action.UPDATE, instance=reg, distributor_id=reg.distributor_id,
                   changes={"status": [reg.status, new]}, actor=actor)
            reg.status, reg.marked_by = new, actor
            reg.save(update_fields=["status", "marked_by"])
        if new == Registration.Status.ATTENDED:
            _complete_if_done(session.course, reg.user)
    return count


# --- quiz ------------------------------------------------------------------------------


def score(questions: list[Question], answers: dict) -> tuple[int, int]:
    """(correct answers, percentage rounded half up). A question counts when the chosen
    options are exactly its correct ones."""
    correct = 0
    for q in questions:
        chosen = answers.get(str(q.pk)) or answers.get(q.pk) or []
        chosen = {int(c) for c in (chosen if isinstance(chosen, list | tuple | set) else [chosen])
                  if str(c).isdigit()}
        right = {o.pk for o in q.options.all() if o.is_correct}
        correct += chosen == right
    if not questions:
        return 0, 0
    pct = (Decimal(correct) * 100 / len(questions)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return correct, int(pct)


def attempts_left(course: Course, user) -> int | None:
    """None when unlimited."""
    if not course.max_attempts:
        return None
    used = QuizAttempt.objects.filter(course=course, user=user).count()
    return max(course.max_attempts - used, 0)


@transaction.atomic
def submit_quiz(*, course_id: int, user, answers: dict) -> QuizAttempt:
    """Score the answers (``{question id: [option ids]}``) and record the attempt; passing
    completes the course unless attendance is still missing."""
    course = Course.objects.get(pk=course_id)
    _participant(user, course)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one attempt at a time per person
    questions = list(course.questions.prefetch_related("options"))
    if not questions:
        raise ValidationFailed(_("This course has no quiz."))
    if Completion.objects.filter(course=course, user=user).exists():
        raise Conflict(_("You have already completed this course."), code="already_completed")
    used = QuizAttempt.objects.filter(course=course, user=user).count()
    if course.max_attempts and used >= course.max_attempts:
        raise NoAttemptsLeft(_("You have used all %(n)d attempts of this quiz.") % {"n": course.max_attempts})
    if not isinstance(answers, dict):
        raise ValidationFailed(fields={"answers": [_("Answer with question ids and the chosen option ids.")]})
    valid = {str(q.pk): {str(o.pk) for o in q.options.all()} for q in questions}
    clean = {}
    for qid, chosen in answers.items():
        chosen = chosen if isinstance(chosen, list | tuple) else [chosen]
        if str(qid) not in valid or any(str(c) not in valid[str(qid)] for c in chosen):
            raise ValidationFailed(fields={f"answers.{qid}": [_("Not an option of this question.")]})
        clean[str(qid)] = sorted(int(c) for c in chosen)
    correct, pct = score(questions, clean)
    attempt = QuizAttempt.objects.create(
        course=course, user=user, distributor_id=user.distributor_id, number=used + 1, answers=clean,
        correct_count=correct, question_count=len(questions), score=pct, passed=pct >= course.pass_mark)
    if attempt.passed:
        _complete_if_done(course, user, score=pct)
    return attempt


def _attended(course: Course, user) -> bool:
    return Registration.objects.filter(session__course=course, user=user,
                                       status=Registration.Status.ATTENDED).exists()


def _passed_score(course: Course, user) -> int | None:
    best = QuizAttempt.objects.filter(course=course, user=user, passed=True).order_by("-score").first()
    return best.score if best else None


def _complete_if_done(course: Course, user, score: int | None = None) -> Completion | None:
    if Completion.objects.filter(course=course, user=user).exists():
        return None
    has_quiz = course.questions.exists()
    if has_quiz:
        score = score if score is not None else _passed_score(course, user)
        if score is None:
            return None
    if course.requires_session and not _attended(course, user):
        return None
    if not has_quiz and not course.requires_session:
        return None
    year = timezone.localdate().year
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                course=course, user=user, distributor_id=user.distributor_id, score=score,
                certificate_number=f"TC{year}{next_value(f'TC{year}'):05d}", token=secrets.token_urlsafe(24))
    except IntegrityError:
        return None  # completed concurrently
    record(action=AuditLog.Action.CREATE, instance=completion, distributor_id=user.distributor_id,
           message=_("Certificate issued for %(course)s.") % {"course": course.title}, actor=user)
    transaction.on_commit(lambda: notify.certificate_issued(completion.pk))
    return completion


@transaction.atomic
def revoke_certificate(*, completion_id: int, actor) -> Completion:
    completion = Completion.objects.select_for_update().get(pk=completion_id)
    if completion.revoked_at:
        return completion
    completion.revoked_at = timezone.now()
    completion.save(update_fields=["revoked_at"])
    record(action=AuditLog.Action.UPDATE, instance=completion, distributor_id=completion.distributor_id,
           changes={"revoked_at": [None, str(completion.revoked_at)]}, actor=actor)
    return completion


# --- deadline reminders ------------------------------------------------------------------


def _stage(deadline: dt.date, today: dt.date) -> str:
    if today > deadline:
        return DeadlineReminder.Stage.OVERDUE
    if (deadline - today).days <= DUE_SOON_DAYS:
        return DeadlineReminder.Stage.DUE_SOON
    return DeadlineReminder.Stage.NEW


def send_deadline_reminders(today: dt.date | None = None, *, mandate_id: int | None = None) -> int:
    """For every published mandatory course and every active distributor of its tier that
    has not completed it: send the latest reminder stage that is due (new course, deadline
    approaching, overdue) unless that stage was sent before. Returns how many were sent."""
    from django_scopes import scopes_disabled

    from .selectors import deadline_for, distributors_done

    today = today or timezone.localdate()
    sent = 0
    with scopes_disabled():
        mandates = MandatoryCourse.objects.filter(course__status=Course.Status.PUBLISHED).select_related("course")
        if mandate_id:
            mandates = mandates.filter(pk=mandate_id)
        for mandate in mandates:
            done = distributors_done(mandate)
            for distributor in mandate_distributors(mandate):
                if distributor.pk in done:
                    continue
                deadline = deadline_for(mandate, distributor)
                stage = _stage(deadline, today)
                try:
                    with transaction.atomic():
                        DeadlineReminder.objects.create(mandate=mandate, distributor=distributor, stage=stage)
                except IntegrityError:
                    continue
                notify.deadline(mandate, distributor, stage, deadline)
                sent += 1
    return sent


def mandate_distributors(mandate: MandatoryCourse):
    from dms.distributors.models import Distributor

    return Distributor.objects.filter(tier_id=mandate.tier_id, status=Distributor.Status.ACTIVE)

