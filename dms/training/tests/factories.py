"""Training test data: a published course with a quiz of each question kind, sessions."""

import datetime as dt

from django.utils import timezone

from dms.training import services
from dms.training.models import Course, Question


def course_with_quiz(*, title="产品知识 2027", pass_mark=60, max_attempts=0, requires_session=False, tiers=(),
                     status=Course.Status.PUBLISHED) -> Course:
    """Three questions: single choice (B right), multiple choice (A and C right), true/false (true)."""
    course = services.save_course(data={"title": title, "category": Course.Category.PRODUCT, "pass_mark": pass_mark,
                                        "max_attempts": max_attempts, "requires_session": requires_session},
                                  tiers=tiers, actor=None)
    services.save_question(course_id=course.pk, kind=Question.Kind.SINGLE, text="旗舰产品的保修期是？",
                           options=[("一年", False), ("两年", True), ("三年", False)], actor=None)
    services.save_question(course_id=course.pk, kind=Question.Kind.MULTIPLE, text="哪些属于安装前检查？",
                           options=[("电压", True), ("颜色", False), ("接地", True)], actor=None)
    services.save_question(course_id=course.pk, kind=Question.Kind.TRUE_FALSE, text="产品可以在户外使用。",
                           options=[("True", True), ("False", False)], actor=None)
    if status == Course.Status.PUBLISHED:
        services.set_course_status(course_id=course.pk, status=status, actor=None)
    return course


def right_answers(course) -> dict:
    return {str(q.pk): [o.pk for o in q.options.all() if o.is_correct] for q in course.questions.all()}


def wrong_answer(question) -> list[int]:
    return [next(o.pk for o in question.options.all() if not o.is_correct)]


def session_for(course, *, capacity=10, days=3, mode="on_site"):
    start = timezone.now() + dt.timedelta(days=days)
    return services.add_session(course_id=course.pk, mode=mode, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                capacity=capacity, place="上海培训中心 3 楼", meeting_link="https://meeting.example.com/1",
                                actor=None)


def start(session):
    """Move a session (taken with seats while it was upcoming) to have begun an hour ago."""
    from dms.training.models import TrainingSession

    begin = timezone.now() - dt.timedelta(hours=1)
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=begin, ends_at=begin + dt.timedelta(hours=2))
    session.refresh_from_db()
    return session
