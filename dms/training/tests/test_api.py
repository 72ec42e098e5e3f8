import json

import pytest

from dms.core.testing.factories import bearer, portal_user, tier
from dms.training import services
from dms.training.models import QuizAttempt

from .factories import course_with_quiz, right_answers, session_for, wrong_answer

pytestmark = pytest.mark.django_db


def post(client, url, user, data):
    return client.post(url, data=json.dumps(data), content_type="application/json", **bearer(user))


def test_distributors_list_the_published_courses_of_their_tier(client, learner, course):
    course_with_quiz(title="二级专属", tiers=[tier(2)])
    course_with_quiz(title="草稿", status="draft")
    session_for(course)
    data = client.get("/api/v1/courses/", **bearer(learner)).json()
    assert [c["title"] for c in data["results"]] == [course.title]
    assert len(data["results"][0]["sessions"]) == 1


def test_course_detail_never_carries_the_correct_answers(client, learner, course):
    body = client.get(f"/api/v1/courses/{course.pk}/", **bearer(learner)).content.decode()
    assert "is_correct" not in body and "correct" not in body
    assert len(json.loads(body)["questions"]) == 3


def test_submit_quiz_returns_score_and_certificate(client, learner, course):
    response = post(client, f"/api/v1/courses/{course.pk}/quiz/", learner, {"answers": right_answers(course)})
    assert response.status_code == 201
    data = response.json()
    assert (data["score"], data["passed"]) == (100, True)
    assert data["completion"]["certificate_number"].startswith("TC")
    completions = client.get("/api/v1/courses/completions/", **bearer(learner)).json()
    assert completions["count"] == 1 and completions["results"][0]["course"] == course.pk


def test_attempts_exhausted_is_a_409_and_records_nothing(client, learner):
    course = course_with_quiz(max_attempts=1)
    wrong = {str(q.pk): wrong_answer(q) for q in course.questions.all()}
    assert post(client, f"/api/v1/courses/{course.pk}/quiz/", learner, {"answers": wrong}).json()["passed"] is False
    response = post(client, f"/api/v1/courses/{course.pk}/quiz/", learner, {"answers": right_answers(course)})
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_attempts_left"
    assert QuizAttempt.objects.count() == 1


def test_register_for_a_session_and_a_full_session(client, learner, distributor, course):
    session = session_for(course, capacity=1)
    response = post(client, f"/api/v1/courses/{course.pk}/register/", learner, {"session": session.pk})
    assert response.status_code == 201 and response.json()["status"] == "registered"
    other = portal_user(distributor, "distributor_staff")
    response = post(client, f"/api/v1/courses/{course.pk}/register/", other, {"session": session.pk})
    assert response.status_code == 409 and response.json()["error"]["code"] == "session_full"
    response = post(client, f"/api/v1/courses/{course.pk}/cancel-registration/", learner, {"session": session.pk})
    assert response.json()["status"] == "cancelled"


def test_training_records_are_scoped(client, learner, distributor, other_distributor, other_dist_admin, course):
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    own = client.get(f"/api/v1/training-records/{distributor.pk}/", **bearer(learner))
    assert own.status_code == 200 and own.json()["courses"][0]["status"] == "completed"
    assert client.get(f"/api/v1/training-records/{distributor.pk}/", **bearer(other_dist_admin)).status_code == 404
    assert client.get(f"/api/v1/training-records/{other_distributor.pk}/", **bearer(learner)).status_code == 404
    assert client.get("/api/v1/courses/completions/", **bearer(other_dist_admin)).json()["count"] == 0
