"""Training in real Chromium: a distributor user opens the catalogue (mandatory course
first), takes the quiz on a phone-sized screen, passes and downloads the certificate; staff
look at the course, the attendance list, the records and the completion report. With
SCREENSHOTS=1 it writes docs/screenshots/training-*.png."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user, tier
from dms.training.models import Completion, Course, Registration
from dms.training.tests.factories import start

from .test_browser import PASSWORD, SHOTS, Watch, browser  # noqa: F401 — the browser fixture is used below

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACES = [("华南优选商贸有限公司", "440106"), ("鹏城通达供应链有限公司", "440305"), ("杭州禾丰商贸有限公司", "330106"),
          ("成都蓉信贸易有限公司", "510104"), ("北京京和商贸有限公司", "110105"), ("武汉江城供应链有限公司", "420102")]


def shot(page, name, full=True):
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


def user_with_password(**kwargs):
    user = kwargs.pop("distributor", None)
    made = portal_user(user, "distributor_admin", **kwargs) if user else UserFactory(**kwargs)
    made.set_password(PASSWORD)
    made.save()
    return made


@pytest.fixture
def academy(live_server):
    """Six distributors (tiers 1 and 2, several provinces) with a user each, the demo courses,
    attempts and completions; then a fresh trainee of the first distributor."""
    cm = UserFactory(username="cm_zhang", roles=["channel_manager"], first_name="伟", last_name="张")
    for i, (name, region) in enumerate(PLACES):
        d = DistributorFactory(name=name, region_code=region, tier=tier(1 if i < 4 else 2), channel_manager=cm)
        portal_user(d, "distributor_admin", first_name="经理", last_name=name[:2])
    user_with_password(username="admin", roles=["admin"], first_name="管理员")
    call_command("seed_training_demo")
    first = DistributorFactory._meta.model.objects.get(name=PLACES[0][0])
    trainee = user_with_password(distributor=first, username="trainee", first_name="小明", last_name="王")
    return {"base": live_server.url, "trainee": trainee}


def test_a_distributor_passes_the_quiz_and_gets_the_certificate(browser, academy):  # noqa: F811
    base = academy["base"]
    course = Course.objects.get(title="产品知识 2027")
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.on("dialog", lambda dialog: dialog.accept())
    watch = Watch(page)
    login(page, base, "trainee")
    expect(page.get_by_text("产品知识 2027").first).to_be_visible()  # the dashboard panel: mandatory course due
    shot(page, "training-portal-dashboard")

    page.goto(f"{base}/portal/training/")
    cards = page.locator("article.t-course h3")
    expect(cards.first).to_have_text("产品知识 2027")  # the mandatory course comes first
    shot(page, "training-portal-catalogue")

    cards.first.locator("a").click()
    page.wait_for_load_state("networkidle")
    shot(page, "training-portal-course")

    page.locator(f"a[href='/portal/training/{course.pk}/quiz/']").click()
    page.wait_for_load_state("networkidle")
    html = page.content()
    assert "is_correct" not in html
    for question in course.questions.prefetch_related("options"):
        for option in question.options.all():
            if option.is_correct:
                page.locator(f"input[name='q{question.pk}'][value='{option.pk}']").check()
    shot(page, "training-portal-quiz")
    page.locator("#quiz-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    expect(page.locator(".t-score")).to_have_text("100%")
    link = page.locator("#certificate-link")
    expect(link).to_be_visible()
    shot(page, "training-portal-result")
    certificate = page.request.get(base + link.get_attribute("href"))
    assert certificate.status == 200 and certificate.headers["content-type"] == "application/pdf"
    assert certificate.body().startswith(b"%PDF")
    completion = Completion.objects.get(user=academy["trainee"], course=course)

    page.goto(f"{base}/portal/training/record/")
    expect(page.get_by_text(completion.certificate_number).first).to_be_visible()
    shot(page, "training-portal-record")
    watch.check()

    verify = browser.new_page(viewport={"width": 390, "height": 700}, locale="zh-CN")
    verify.goto(f"{base}/portal/training/verify/{completion.token}/")
    expect(verify.get_by_text(completion.certificate_number)).to_be_visible()
    shot(verify, "training-verify")


def test_staff_follow_courses_attendance_records_and_the_report(browser, academy):  # noqa: F811
    base = academy["base"]
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    login(page, base, "admin")
    product = Course.objects.get(title="产品知识 2027")
    for path, name in [("/backoffice/training/", "training-courses"),
                       (f"/backoffice/training/{product.pk}/", "training-course"),
                       ("/backoffice/training/records/", "training-records"),
                       ("/backoffice/training/report/", "training-report")]:
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        shot(page, name)
    expect(page.locator("canvas[data-chart]")).to_be_visible()
    reg = Registration.objects.select_related("session", "distributor").first()
    start(reg.session)  # attendance is recorded once the session has begun
    page.goto(f"{base}/backoffice/training/sessions/{reg.session_id}/")
    page.locator(f"input[name=attended][value='{reg.pk}']").check()
    page.get_by_role("button", name="Save attendance").or_(page.locator("form.card button[type=submit]")).first.click()
    page.wait_for_load_state("networkidle")
    reg.refresh_from_db()
    assert reg.status == "attended"
    shot(page, "training-attendance")
    page.goto(f"{base}/backoffice/training/records/{reg.distributor_id}/")
    shot(page, "training-record")
    watch.check()
