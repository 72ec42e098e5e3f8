import datetime as dt

import pytest
from django.utils import timezone

from dms.core.errors import NotAllowed, ValidationFailed
from dms.core.testing.factories import DistributorFactory, portal_user, tier
from dms.notifications.models import Category, Notification
from dms.training import selectors, services
from dms.training.models import Completion, Course, DeadlineReminder, QuizAttempt, Registration

from .factories import course_with_quiz, right_answers, session_for, start, wrong_answer

pytestmark = pytest.mark.django_db


def _answers(course, **overrides):
    """The right answers, with some questions (by kind) answered otherwise."""
    answers = right_answers(course)
    for q in course.questions.all():
        if q.kind in overrides:
            answers[str(q.pk)] = overrides[q.kind](q)
    return answers


# --- scoring -------------------------------------------------------------------------------


def test_all_right_scores_100_and_completes_with_a_certificate(course, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    assert (attempt.score, attempt.correct_count, attempt.passed, attempt.number) == (100, 3, True, 1)
    completion = Completion.objects.get(course=course, user=learner)
    assert completion.distributor_id == learner.distributor_id and completion.score == 100
    assert completion.certificate_number.startswith(f"TC{timezone.localdate().year}")
    note = Notification.objects.get(user=learner, category=Category.TRAINING)
    assert completion.certificate_number in note.body


@pytest.mark.parametrize("kind", ["single", "true_false"])
def test_a_wrong_single_or_true_false_answer_counts_as_wrong(course, learner, kind):
    attempt = services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, **{kind: wrong_answer}))
    assert (attempt.correct_count, attempt.score) == (2, 67)


def test_multiple_choice_needs_exactly_the_correct_options(learner):
    course = course_with_quiz(pass_mark=100)

    def one_of_two(q):
        return [o.pk for o in q.options.all() if o.is_correct][:1]

    def all_options(q):
        return [o.pk for o in q.options.all()]

    partial = services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, multiple=one_of_two))
    too_many = services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, multiple=all_options))
    assert partial.correct_count == too_many.correct_count == 2


def test_unanswered_questions_count_as_wrong(course, learner):
    first = course.questions.first()
    attempt = services.submit_quiz(course_id=course.pk, user=learner,
                                   answers={str(first.pk): right_answers(course)[str(first.pk)]})
    assert (attempt.correct_count, attempt.score, attempt.passed) == (1, 33, False)


@pytest.mark.parametrize(("pass_mark", "passed"), [(66, True), (67, True), (68, False)])
def test_pass_mark_boundary_two_of_three_is_67_percent(learner, pass_mark, passed):
    course = course_with_quiz(pass_mark=pass_mark)
    attempt = services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, single=wrong_answer))
    assert attempt.score == 67 and attempt.passed is passed
    assert Completion.objects.filter(course=course, user=learner).exists() is passed


def test_attempts_limit_refuses_the_next_attempt_and_records_nothing(learner):
    course = course_with_quiz(max_attempts=2)
    for _ in range(2):
        services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, single=wrong_answer,
                                                                                  true_false=wrong_answer))
    assert services.attempts_left(course, learner) == 0
    with pytest.raises(services.NoAttemptsLeft):
        services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    assert QuizAttempt.objects.filter(course=course, user=learner).count() == 2
    assert not Completion.objects.filter(course=course).exists()


def test_unlimited_attempts_until_passed_then_refused(course, learner):
    for _ in range(4):
        services.submit_quiz(course_id=course.pk, user=learner, answers=_answers(course, single=wrong_answer,
                                                                                  multiple=wrong_answer))
    assert services.attempts_left(course, learner) is None
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    with pytest.raises(services.Conflict):
        services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))


def test_an_option_of_another_question_is_refused(course, learner):
    first, second = list(course.questions.all())[:2]
    with pytest.raises(ValidationFailed) as exc:
        services.submit_quiz(course_id=course.pk, user=learner, answers={str(first.pk): [second.options.first().pk]})
    assert f"answers.{first.pk}" in exc.value.fields
    assert not QuizAttempt.objects.exists()


def test_staff_and_other_tiers_cannot_take_the_course(learner, admin_user):
    course = course_with_quiz(tiers=[tier(2)])  # learner's distributor is tier 1
    with pytest.raises(NotAllowed):
        services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    with pytest.raises(NotAllowed):
        services.submit_quiz(course_id=course.pk, user=admin_user, answers=right_answers(course))
    draft = course_with_quiz(status=Course.Status.DRAFT)
    with pytest.raises(NotAllowed):
        services.submit_quiz(course_id=draft.pk, user=learner, answers=right_answers(draft))


def test_question_editor_rules():
    course = course_with_quiz()
    with pytest.raises(ValidationFailed):
        services.save_question(course_id=course.pk, kind="single", text="两个正确？", options=[("a", True), ("b", True)],
                               actor=None)
    with pytest.raises(ValidationFailed):
        services.save_question(course_id=course.pk, kind="multiple", text="没有正确", options=[("a", False), ("b", False)],
                               actor=None)
    assert course.questions.count() == 3


# --- sessions and attendance ----------------------------------------------------------------


def test_capacity_is_enforced_and_a_cancelled_seat_is_free_again(course, distributor, learner):
    session = session_for(course, capacity=1)
    other = portal_user(distributor, "distributor_staff")
    services.register(session_id=session.pk, user=learner)
    assert services.register(session_id=session.pk, user=learner).status == "registered"  # a retry is a no-op
    with pytest.raises(services.SessionFull):
        services.register(session_id=session.pk, user=other)
    services.cancel_registration(session_id=session.pk, user=learner)
    services.register(session_id=session.pk, user=other)
    session.refresh_from_db()
    assert session.registered_count == 1
    assert Registration.objects.filter(session=session, status="registered").get().user == other


def test_a_started_session_takes_no_registration(course, learner):
    session = session_for(course)
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save()
    with pytest.raises(ValidationFailed):
        services.register(session_id=session.pk, user=learner)


def test_attendance_is_required_when_the_course_says_so(learner, admin_user):
    course = course_with_quiz(requires_session=True)
    session = session_for(course)
    reg = services.register(session_id=session.pk, user=learner)
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    assert not Completion.objects.filter(course=course).exists()
    with pytest.raises(ValidationFailed):  # not before the session has started
        services.mark_attendance(session_id=session.pk, attended_ids={reg.pk}, actor=admin_user)
    start(session)
    services.mark_attendance(session_id=session.pk, attended_ids={reg.pk}, actor=admin_user)
    completion = Completion.objects.get(course=course, user=learner)
    assert completion.score == 100
    # marking again issues nothing new
    services.mark_attendance(session_id=session.pk, attended_ids={reg.pk}, actor=admin_user)
    assert Completion.objects.filter(course=course).count() == 1


def test_absent_people_are_marked_absent(course, learner, distributor, admin_user):
    session = session_for(course)
    there = services.register(session_id=session.pk, user=learner)
    away = services.register(session_id=session.pk, user=portal_user(distributor, "distributor_staff"))
    start(session)
    assert services.mark_attendance(session_id=session.pk, attended_ids={there.pk}, actor=admin_user) == 1
    away.refresh_from_db()
    assert away.status == Registration.Status.ABSENT


# --- distributor-level completion and deadline reminders ------------------------------------


def test_a_distributor_completes_a_mandate_when_enough_people_did(course, learner, distributor):
    mandate = services.add_mandate(course_id=course.pk, tier=distributor.tier, due_date=timezone.localdate(),
                                   required_people=2, actor=None)
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    assert distributor.pk not in selectors.distributors_done(mandate)
    services.submit_quiz(course_id=course.pk, user=portal_user(distributor), answers=right_answers(course))
    assert distributor.pk in selectors.distributors_done(mandate)


def test_each_reminder_stage_is_sent_once(course, distributor, learner, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=30)
    done = DistributorFactory()  # completes, so it gets nothing after the first notice
    done_user = portal_user(done)
    with django_capture_on_commit_callbacks(execute=True):
        mandate = services.add_mandate(course_id=course.pk, tier=tier(1), due_date=deadline, actor=None)
    assert DeadlineReminder.objects.filter(stage="new").count() == 2
    services.submit_quiz(course_id=course.pk, user=done_user, answers=right_answers(course))
    sent = {}
    for day in range(0, 40):  # the job runs every day (twice on some days)
        date = today + dt.timedelta(days=day)
        sent[date] = services.send_deadline_reminders(date) + services.send_deadline_reminders(date)
    assert sum(sent.values()) == 2
    assert sent[deadline - dt.timedelta(days=services.DUE_SOON_DAYS)] == 1
    assert sent[deadline + dt.timedelta(days=1)] == 1
    stages = list(DeadlineReminder.objects.filter(mandate=mandate).values_list("distributor_id", "stage"))
    assert sorted(stages) == sorted([(distributor.pk, "new"), (done.pk, "new"), (distributor.pk, "due_soon"),
                                     (distributor.pk, "overdue")])
    titles = list(Notification.objects.filter(user=learner, category=Category.TRAINING).values_list("title", flat=True))
    assert len(titles) == 3
    assert Notification.objects.filter(user=distributor.channel_manager, category=Category.TRAINING).count() == 1


def test_a_late_job_sends_only_the_latest_stage(course, distributor):
    services.add_mandate(course_id=course.pk, tier=tier(1), within_days=10, actor=None)
    activated = selectors.activation_date(distributor)
    assert services.send_deadline_reminders(activated + dt.timedelta(days=20)) == 1
    assert list(DeadlineReminder.objects.values_list("stage", flat=True)) == ["overdue"]


def test_draft_courses_send_no_reminders(distributor):
    draft = course_with_quiz(status=Course.Status.DRAFT)
    services.add_mandate(course_id=draft.pk, tier=tier(1), due_date=timezone.localdate(), actor=None)
    assert services.send_deadline_reminders() == 0


def test_a_mandate_needs_exactly_one_kind_of_deadline(course):
    with pytest.raises(ValidationFailed):
        services.add_mandate(course_id=course.pk, tier=tier(1), actor=None)
    with pytest.raises(ValidationFailed):
        services.add_mandate(course_id=course.pk, tier=tier(1), due_date=timezone.localdate(), within_days=3,
                             actor=None)


# --- report ------------------------------------------------------------------------------


def test_completion_report_by_course_and_province(course, learner, distributor):
    DistributorFactory(region_code="110101")  # Beijing, not completed
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    report = selectors.completion_report()
    row = next(r for r in report["by_course"] if r["course"] == course)
    assert (row["targets"], row["done"], str(row["rate"])) == (2, 1, "50.0")
    provinces = {p["code"]: (p["done"], p["targets"]) for p in report["by_province"]}
    assert provinces["44"] == (1, 1) and provinces["11"] == (0, 1)
    assert selectors.completion_report(province="11")["total"]["done"] == 0
