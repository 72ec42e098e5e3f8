import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dms.core.testing.factories import DistributorFactory, portal_user, tier
from dms.training import services
from dms.training.models import Completion, Course, Question, QuizAttempt, Registration

from .factories import course_with_quiz, right_answers, session_for, start

pytestmark = pytest.mark.django_db


# --- back office --------------------------------------------------------------------------


def test_staff_create_a_course_add_a_question_and_publish(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("training:create"), {
        "title": "新品上市培训", "category": "product", "description": "", "pass_mark": 80, "max_attempts": 2,
        "target_tiers": [tier(1).pk]})
    course = Course.objects.get(title="新品上市培训")
    assert response.status_code == 302 and course.status == Course.Status.DRAFT
    assert list(course.target_tiers.all()) == [tier(1)]
    response = client.post(reverse("training:question_add", args=[course.pk]), {
        "kind": "multiple", "text": "哪些是新品特点？", "option_1": "静音", "correct_1": "on", "option_2": "省电",
        "correct_2": "on", "option_3": "更重"})
    assert response.status_code == 302
    question = course.questions.get()
    assert [(o.text, o.is_correct) for o in question.options.all()] == [("静音", True), ("省电", True), ("更重", False)]
    client.post(reverse("training:status", args=[course.pk]), {"status": "published"})
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    page = client.get(reverse("training:detail", args=[course.pk])).content.decode()
    assert "哪些是新品特点？" in page and "静音" in page


def test_an_invalid_question_changes_nothing_and_shows_the_error(client, admin_user, course):
    client.force_login(admin_user)
    response = client.post(reverse("training:question_add", args=[course.pk]), {
        "kind": "single", "text": "没有答案", "option_1": "只有一个"})
    assert response.status_code == 400 and course.questions.count() == 3
    assert "errorlist" in response.content.decode() or "msg-error" in response.content.decode()


def test_true_false_question_from_the_editor(client, admin_user, course):
    client.force_login(admin_user)
    client.post(reverse("training:question_add", args=[course.pk]), {"kind": "true_false", "text": "滤芯可水洗。",
                                                                     "true_false": "false"})
    q = course.questions.get(text="滤芯可水洗。")
    assert q.kind == Question.Kind.TRUE_FALSE and [o.is_correct for o in q.options.all()] == [False, True]


def test_material_upload_is_checked_by_content(client, admin_user, course):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    fake = SimpleUploadedFile("manual.pdf", b"MZ this is not a pdf", content_type="application/pdf")
    response = client.post(reverse("training:material_add", args=[course.pk]),
                           {"kind": "document", "title": "手册", "file": fake})
    assert response.status_code == 400 and not course.materials.exists()
    real = SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    client.post(reverse("training:material_add", args=[course.pk]), {"kind": "document", "title": "手册", "file": real})
    material = course.materials.get()
    download = client.get(reverse("training:material", args=[material.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_session_page_lists_only_the_managers_distributors(client, course, learner, channel_manager, make_staff):
    session = session_for(course)
    services.register(session_id=session.pk, user=learner)
    other_cm = make_staff("channel_manager", username="cm_x")
    stranger = portal_user(DistributorFactory(channel_manager=other_cm, name="别人家经销商"))
    services.register(session_id=session.pk, user=stranger)
    client.force_login(channel_manager)
    page = client.get(reverse("training:session", args=[session.pk])).content.decode()
    assert learner.distributor.name in page and "别人家经销商" not in page
    # marking attendance touches only his distributors' people
    start(session)
    reg = Registration.objects.get(user=learner)
    client.post(reverse("training:session", args=[session.pk]), {"attended": [reg.pk]})
    assert Registration.objects.get(user=learner).status == "attended"
    assert Registration.objects.get(user=stranger).status == "registered"


def test_records_report_and_export(client, admin_user, course, learner, distributor):
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    client.force_login(admin_user)
    assert distributor.name in client.get(reverse("training:records")).content.decode()
    record = client.get(reverse("training:record", args=[distributor.pk])).content.decode()
    completion = Completion.objects.get()
    assert completion.certificate_number in record
    report = client.get(reverse("training:report"), {"province": "44"})
    assert report.status_code == 200 and "产品知识 2027" in report.content.decode()
    assert 'data-chart="rate-chart"' in report.content.decode()
    export = client.get(reverse("training:report"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(reverse("training:certificate", args=[completion.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_dashboards_show_the_training_panels(client, admin_user, course, learner):
    services.add_mandate(course_id=course.pk, tier=tier(1), due_date=timezone.localdate() + dt.timedelta(days=5),
                         actor=None)
    client.force_login(admin_user)
    assert "产品知识 2027" in client.get(reverse("backoffice:dashboard")).content.decode()
    client.force_login(learner)
    assert "产品知识 2027" in client.get(reverse("portal:dashboard")).content.decode()


# --- portal -------------------------------------------------------------------------------


def test_catalogue_lists_mandatory_courses_first(client, learner, course):
    optional = course_with_quiz(title="AAA 选修课")
    services.add_mandate(course_id=course.pk, tier=tier(1), due_date=timezone.localdate() + dt.timedelta(days=9),
                         actor=None)
    hidden = course_with_quiz(title="二级专属课程", tiers=[tier(2)])
    client.force_login(learner)
    page = client.get(reverse("training_portal:catalogue")).content.decode()
    assert page.index(course.title) < page.index(optional.title)
    assert hidden.title not in page
    assert client.get(reverse("training_portal:course", args=[hidden.pk])).status_code == 404


def test_quiz_page_does_not_reveal_the_answers_and_scoring_happens_on_post(client, learner, course):
    client.force_login(learner)
    page = client.get(reverse("training_portal:quiz", args=[course.pk])).content.decode()
    assert "is_correct" not in page and "✓" not in page
    data = {f"q{qid}": ids for qid, ids in right_answers(course).items()}
    response = client.post(reverse("training_portal:quiz", args=[course.pk]), data)
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("training_portal:attempt",
                                                                          args=[attempt.pk])
    result = client.get(response["Location"]).content.decode()
    assert "100%" in result and 'id="certificate-link"' in result
    completion = Completion.objects.get()
    pdf = client.get(reverse("training_portal:certificate", args=[completion.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_incomplete_quiz_is_not_submitted(client, learner, course):
    client.force_login(learner)
    first = course.questions.first()
    response = client.post(reverse("training_portal:quiz", args=[course.pk]), {f"q{first.pk}": [first.options.first().pk]})
    assert response.status_code == 200 and not QuizAttempt.objects.exists()


def test_register_and_cancel_from_the_course_page(client, learner, course):
    session = session_for(course, mode="online")
    client.force_login(learner)
    page = client.get(reverse("training_portal:course", args=[course.pk])).content.decode()
    assert "meeting.example.com" not in page  # the link is for registered people
    client.post(reverse("training_portal:register", args=[session.pk]))
    assert "meeting.example.com" in client.get(reverse("training_portal:course", args=[course.pk])).content.decode()
    client.post(reverse("training_portal:cancel", args=[session.pk]))
    assert Registration.objects.get().status == "cancelled"


def test_another_persons_attempt_is_404(client, learner, distributor, course):
    attempt = services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    client.force_login(portal_user(distributor, "distributor_staff"))
    assert client.get(reverse("training_portal:attempt", args=[attempt.pk])).status_code == 404


def test_portal_record_shows_the_certificates(client, learner, course):
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    client.force_login(learner)
    page = client.get(reverse("training_portal:record")).content.decode()
    assert Completion.objects.get().certificate_number in page


def test_a_mandate_with_two_deadlines_is_refused_in_words(client, admin_user, course):
    client.force_login(admin_user)
    response = client.post(reverse("training:mandate_add", args=[course.pk]), {
        "tier": tier(1).pk, "due_date": "2027-01-31", "within_days": 30, "required_people": 1})
    assert response.status_code == 400 and not course.mandates.exists()
    assert "msg-error" in response.content.decode()
