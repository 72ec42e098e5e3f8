import subprocess

import pytest
from django.urls import reverse

from dms.training import documents, services

from .factories import course_with_quiz, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def completion(learner):
    course = course_with_quiz()
    services.submit_quiz(course_id=course.pk, user=learner, answers=right_answers(course))
    return learner.training_completions.get()


def test_certificate_pdf_names_the_person_distributor_course_and_number(completion, tmp_path):
    path = tmp_path / "cert.pdf"
    path.write_bytes(documents.certificate_pdf(completion))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603,S607
    for expected in ("王小明", completion.distributor.name, "产品知识 2027", completion.certificate_number):
        assert expected in text.replace("\n", " ") or expected in text


def test_qr_code_points_at_the_verification_page(completion):
    context = documents.certificate_context(completion)
    assert context["verify_url"].endswith(reverse("training_portal:verify", args=[completion.token]))
    assert context["qr"].startswith("data:image/svg+xml;base64,")


def test_verification_page_is_public_and_shows_no_person(client, completion, admin_user):
    url = reverse("training_portal:verify", args=[completion.token])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200 and completion.certificate_number in text
    assert "王小明" not in text and completion.distributor.name not in text
    services.revoke_certificate(completion_id=completion.pk, actor=admin_user)
    assert 't-score fail' in client.get(url).content.decode()  # shown as revoked, in any language
    assert client.get(reverse("training_portal:verify", args=["nope"])).status_code == 404
