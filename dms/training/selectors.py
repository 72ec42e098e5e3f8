"""Training reads for pages, the API, the dashboards and the report. Everything a
distributor did (registrations, attempts, completions) is read through the scoped
managers, so a channel manager sees only his distributors and a distributor user only
his own; courses are the brand's and readable by all."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from dms.core import regions
from dms.distributors.models import Distributor

from .models import Completion, Course, MandatoryCourse, QuizAttempt, Registration, TrainingSession

# Status of a course for a person or a distributor.
DONE, STARTED, TODO = "completed", "in_progress", "not_started"


def courses():
    return Course.objects.prefetch_related("target_tiers").annotate(
        n_materials=Count("materials", distinct=True), n_sessions=Count("sessions", distinct=True),
        n_questions=Count("questions", distinct=True))


def course_detail(pk: int) -> Course:
    return Course.objects.prefetch_related(
        "target_tiers", "materials", "questions__options",
        Prefetch("sessions", TrainingSession.objects.order_by("starts_at")),
        Prefetch("mandates", MandatoryCourse.objects.select_related("tier"))).get(pk=pk)


def visible_courses(distributor):
    """Published courses open to the distributor's tier (no target tier: every tier)."""
    return (Course.objects.filter(status=Course.Status.PUBLISHED)
            .filter(Q(target_tiers__isnull=True) | Q(target_tiers=distributor.tier_id)).distinct())


def activation_date(distributor) -> dt.date:
    """When the distributor became active (its last status change), else its creation."""
    when = distributor.status_changed_at or distributor.created_at
    return timezone.localdate(when)


def deadline_for(mandate: MandatoryCourse, distributor) -> dt.date:
    if mandate.due_date:
        return mandate.due_date
    return activation_date(distributor) + dt.timedelta(days=mandate.within_days or 0)


def _valid_completions():
    return Completion.objects.filter(revoked_at__isnull=True)


def distributors_done(mandate: MandatoryCourse) -> set[int]:
    """Distributors where at least ``required_people`` users completed the course."""
    rows = (_valid_completions().filter(course_id=mandate.course_id).order_by().values("distributor_id")
            .annotate(n=Count("user_id", distinct=True)).filter(n__gte=mandate.required_people))
    return {r["distributor_id"] for r in rows}


def mandates_for(distributor) -> list[dict]:
    """The distributor's mandatory courses with their deadline and whether they are done,
    soonest deadline first."""
    out = []
    today = timezone.localdate()
    for m in MandatoryCourse.objects.filter(tier_id=distributor.tier_id, course__status=Course.Status.PUBLISHED
                                            ).select_related("course"):
        people = (_valid_completions().filter(course_id=m.course_id, distributor_id=distributor.pk)
                  .values("user_id").distinct().count())
        deadline = deadline_for(m, distributor)
        done = people >= m.required_people
        out.append({"mandate": m, "course": m.course, "deadline": deadline, "done": done, "people": people,
                    "overdue": not done and deadline < today, "days_left": (deadline - today).days})
    out.sort(key=lambda r: (r["done"], r["deadline"]))
    return out


def catalogue(user) -> list[dict]:
    """The portal catalogue: mandatory courses first (by deadline), then the others."""
    distributor = user.distributor
    mandatory = {r["course"].pk: r for r in mandates_for(distributor)}
    mine = _person_status(user)
    rows = []
    for course in visible_courses(distributor).annotate(n_questions=Count("questions", distinct=True),
                                                        n_sessions=Count("sessions", distinct=True)):
        rows.append({"course": course, "mandate": mandatory.get(course.pk), "status": mine.get(course.pk, TODO)})
    rows.sort(key=lambda r: (r["mandate"] is None, r["mandate"]["done"] if r["mandate"] else False,
                             r["mandate"]["deadline"] if r["mandate"] else dt.date.max, r["course"].title))
    return rows


def _person_status(user) -> dict[int, str]:
    status = {}
    for course_id in QuizAttempt.objects.filter(user=user).values_list("course_id", flat=True):
        status[course_id] = STARTED
    for course_id in Registration.objects.filter(user=user).exclude(
            status=Registration.Status.CANCELLED).values_list("session__course_id", flat=True):
        status[course_id] = STARTED
    for course_id in _valid_completions().filter(user=user).values_list("course_id", flat=True):
        status[course_id] = DONE
    return status


def my_course(course: Course, user) -> dict:
    """What the course page shows the person: registrations, attempts, completion."""
    regs = {r.session_id: r for r in Registration.objects.filter(user=user, session__course=course)}
    return {
        "registrations": regs,
        "attempts": list(QuizAttempt.objects.filter(course=course, user=user)),
        "completion": Completion.objects.filter(course=course, user=user).first(),
    }


def distributor_record(distributor) -> dict:
    """Everything the distributor's people did in training, per course, plus the mandates."""
    completions = list(Completion.objects.filter(distributor=distributor).select_related("course", "user"))
    attempts = QuizAttempt.objects.filter(distributor=distributor)
    best = {}
    for a in attempts.order_by("score"):
        best[a.course_id] = a.score
    attended = list(Registration.objects.filter(distributor=distributor).exclude(
        status=Registration.Status.CANCELLED).select_related("session__course", "user").order_by(
        "-session__starts_at"))
    course_ids = ({c.course_id for c in completions} | set(best) | {r.session.course_id for r in attended}
                  | set(visible_courses(distributor).values_list("pk", flat=True)))
    rows = []
    for course in Course.objects.filter(pk__in=course_ids).order_by("title"):
        done = [c for c in completions if c.course_id == course.pk and c.is_valid]
        started = course.pk in best or any(r.session.course_id == course.pk for r in attended)
        rows.append({"course": course, "status": DONE if done else (STARTED if started else TODO),
                     "best_score": best.get(course.pk), "completions": done})
    return {"rows": rows, "completions": completions, "registrations": attended,
            "mandates": mandates_for(distributor),
            "counts": {"done": sum(r["status"] == DONE for r in rows), "total": len(rows),
                       "certificates": sum(c.is_valid for c in completions),
                       "attended": sum(r.status == Registration.Status.ATTENDED for r in attended)}}


def distributor_summaries(qs):
    """The record list: per distributor, courses completed and mandates overdue."""
    qs = qs.select_related("tier").annotate(
        n_completions=Count("training_completions", filter=Q(training_completions__revoked_at__isnull=True),
                            distinct=True),
        n_courses=Count("training_completions__course", filter=Q(training_completions__revoked_at__isnull=True),
                        distinct=True))
    return qs


def rate(done: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(done) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def completion_report(*, course_ids=None, category="", tier_id=None, province="", mandatory_only=False) -> dict:
    """Completion rates — a distributor counts as having completed a course when at least
    one of its users did — by course and by province, over the active distributors in
    scope that the course is open to."""
    distributors = Distributor.objects.filter(status=Distributor.Status.ACTIVE).only("pk", "tier_id", "region_code")
    if tier_id:
        distributors = distributors.filter(tier_id=tier_id)
    if province:
        distributors = distributors.filter(region_code__startswith=province)
    distributors = list(distributors)
    course_qs = Course.objects.filter(status=Course.Status.PUBLISHED).prefetch_related("target_tiers")
    if course_ids:
        course_qs = course_qs.filter(pk__in=course_ids)
    if category:
        course_qs = course_qs.filter(category=category)
    if mandatory_only:
        course_qs = course_qs.filter(mandates__isnull=False).distinct()
    course_list = list(course_qs.order_by("title"))
    done_pairs = set(_valid_completions().filter(course__in=course_list, distributor__in=[d.pk for d in distributors])
                     .values_list("course_id", "distributor_id").distinct())
    by_course, by_province = [], defaultdict(lambda: [0, 0])
    for course in course_list:
        tiers = {t.pk for t in course.target_tiers.all()}
        targets = [d for d in distributors if not tiers or d.tier_id in tiers]
        done = [d for d in targets if (course.pk, d.pk) in done_pairs]
        by_course.append({"course": course, "targets": len(targets), "done": len(done),
                          "rate": rate(len(done), len(targets))})
        for d in targets:
            cell = by_province[(d.region_code or "")[:2]]
            cell[1] += 1
            cell[0] += (course.pk, d.pk) in done_pairs
    names = dict(regions.provinces())
    provinces = sorted(({"code": code, "name": names.get(code, "—"), "done": v[0], "targets": v[1],
                         "rate": rate(v[0], v[1])} for code, v in by_province.items()),
                       key=lambda r: (-(r["rate"] or 0), r["name"]))
    total_targets = sum(r["targets"] for r in by_course)
    total_done = sum(r["done"] for r in by_course)
    return {"by_course": by_course, "by_province": provinces,
            "total": {"targets": total_targets, "done": total_done, "rate": rate(total_done, total_targets)}}


def chart_config(report: dict, label: str) -> dict:
    rows = report["by_course"][:20]
    return {"type": "bar",
            "data": {"labels": [r["course"].title for r in rows],
                     "datasets": [{"label": label, "data": [float(r["rate"] or 0) for r in rows],
                                   "backgroundColor": "#2563eb"}]},
            "options": {"indexAxis": "y", "scales": {"x": {"min": 0, "max": 100}},
                        "plugins": {"legend": {"display": False}}}}
