import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dms.accounts.models import User
from dms.core.testing.factories import ContractFactory, QualificationFactory, make_credit_code, portal_user
from dms.distributors.models import Contact, Distributor, Qualification, Review
from dms.notifications.models import Category, Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "profile", "qualifications", "qualification_upload", "contracts", "users", "user_create"]


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def with_file(factory, field, **kwargs):
    obj = factory(**kwargs)
    getattr(obj, field).save("doc.pdf", SimpleUploadedFile("doc.pdf", PDF), save=False)
    obj.original_filename = "原件.pdf"
    obj.save()
    return obj


@pytest.fixture
def dist_staff(distributor):
    return portal_user(distributor, "distributor_staff", username="d1staff")


@pytest.fixture
def contact(distributor):
    return Contact.objects.create(distributor=distributor, name="张三", phone="13800138000", is_primary=True)


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_staff_user_gets_404_on_portal_pages(client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(reverse(f"portal:{name}")).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["dashboard", "profile", "qualifications", "qualification_upload", "contracts"])
def test_distributor_user_sees_portal_pages(client, dist_staff, name):
    client.force_login(dist_staff)
    assert client.get(reverse(f"portal:{name}")).status_code == 200


def test_another_distributors_ids_are_404_on_every_portal_url_with_an_id(client, dist_admin, other_distributor):
    q = with_file(QualificationFactory, "file", distributor=other_distributor)
    c = with_file(ContractFactory, "signed_file", distributor=other_distributor,
                  start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    other_contact = Contact.objects.create(distributor=other_distributor, name="李四")
    other_user = portal_user(other_distributor, "distributor_staff", username="d2staff")
    client.force_login(dist_admin)
    assert client.get(reverse("portal:qualification_file", args=[q.pk])).status_code == 404
    assert client.get(reverse("portal:contract", args=[c.pk])).status_code == 404
    assert client.get(reverse("portal:contract_file", args=[c.pk])).status_code == 404
    assert client.get(reverse("portal:contact_edit", args=[other_contact.pk])).status_code == 404
    response = client.post(reverse("portal:contact_edit", args=[other_contact.pk]), {"phone": "13900139000"})
    assert response.status_code == 404
    assert client.post(reverse("portal:user_toggle", args=[other_user.pk]), {"active": "0"}).status_code == 404
    other_user.refresh_from_db()
    other_contact.refresh_from_db()
    assert other_user.is_active and other_contact.phone == ""


def test_own_files_download_with_original_name(client, dist_staff, distributor):
    q = with_file(QualificationFactory, "file", distributor=distributor)
    c = with_file(ContractFactory, "signed_file", distributor=distributor,
                  start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    client.force_login(dist_staff)
    for url in (reverse("portal:qualification_file", args=[q.pk]), reverse("portal:contract_file", args=[c.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"


def test_lists_show_only_own_documents(client, dist_staff, distributor, other_distributor):
    QualificationFactory(distributor=distributor, number="MINE-Q")
    QualificationFactory(distributor=other_distributor, number="THEIRS-Q")
    ContractFactory(distributor=distributor, number="MINE-C", start_date=dt.date(2025, 1, 1),
                    end_date=dt.date(2026, 12, 31))
    ContractFactory(distributor=other_distributor, number="THEIRS-C", start_date=dt.date(2025, 1, 1),
                    end_date=dt.date(2026, 12, 31))
    client.force_login(dist_staff)
    page = client.get(reverse("portal:qualifications")).content.decode()
    assert "MINE-Q" in page and "THEIRS-Q" not in page
    page = client.get(reverse("portal:contracts")).content.decode()
    assert "MINE-C" in page and "THEIRS-C" not in page


def test_contract_export_contains_only_own_contracts(client, dist_staff, distributor, other_distributor):
    from io import BytesIO

    from openpyxl import load_workbook

    ContractFactory(distributor=distributor, number="MINE-C", start_date=dt.date(2025, 1, 1),
                    end_date=dt.date(2026, 12, 31))
    ContractFactory(distributor=other_distributor, number="THEIRS-C", start_date=dt.date(2025, 1, 1),
                    end_date=dt.date(2026, 12, 31))
    client.force_login(dist_staff)
    response = client.get(reverse("portal:contracts"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["MINE-C"]


# --- dashboard ------------------------------------------------------------------------


def test_dashboard_shows_alerts_and_latest_unread(client, dist_staff, distributor):
    today = timezone.localdate()
    QualificationFactory(distributor=distributor, number="SOON-Q", valid_to=today + dt.timedelta(days=10))
    QualificationFactory(distributor=distributor, number="LATER-Q", valid_to=today + dt.timedelta(days=200))
    ContractFactory(distributor=distributor, number="SOON-C", start_date=today - dt.timedelta(days=300),
                    end_date=today + dt.timedelta(days=45))
    ContractFactory(distributor=distributor, number="LATER-C", start_date=today,
                    end_date=today + dt.timedelta(days=300))
    Review.objects.create(distributor=distributor, kind=Review.Kind.PERIODIC)
    distributor.qualification_flag = True
    distributor.save()
    for i in range(7):
        Notification.objects.create(user=dist_staff, title=f"note-{i}")
    client.force_login(dist_staff)
    response = client.get(reverse("portal:dashboard"))
    ctx = response.context
    assert [q.number for q in ctx["expiring_qualifications"]] == ["SOON-Q"]
    assert [c.number for c in ctx["expiring_contracts"]] == ["SOON-C"]
    assert len(ctx["open_reviews"]) == 1
    assert ctx["counts"]["unread"] == 7
    assert len(ctx["latest_unread"]) == 5
    page = response.content.decode()
    assert "SOON-Q" in page and "SOON-C" in page and "note-6" in page
    assert "LATER-Q" not in page and "note-0" not in page


# --- profile and contacts -------------------------------------------------------------


def test_profile_shows_channel_manager_contact_details(client, dist_staff, distributor, channel_manager, contact):
    channel_manager.first_name, channel_manager.phone = "王经理", "13911112222"
    channel_manager.save()
    client.force_login(dist_staff)
    page = client.get(reverse("portal:profile")).content.decode()
    assert "王经理" in page and 'href="tel:13911112222"' in page and channel_manager.email in page
    assert distributor.credit_code in page and "张三" in page
    assert reverse("portal:contact_edit", args=[contact.pk]) not in page  # staff: read only


def test_distributor_admin_edits_a_contact(client, dist_admin, contact):
    client.force_login(dist_admin)
    assert reverse("portal:contact_edit", args=[contact.pk]) in client.get(reverse("portal:profile")).content.decode()
    response = client.post(reverse("portal:contact_edit", args=[contact.pk]),
                           {"title": "采购经理", "phone": "13700137000", "email": "zs@example.com"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.phone, contact.email, contact.name) == (
        "采购经理", "13700137000", "zs@example.com", "张三")


def test_invalid_contact_phone_is_shown_and_not_saved(client, dist_admin, contact):
    client.force_login(dist_admin)
    response = client.post(reverse("portal:contact_edit", args=[contact.pk]), {"phone": "12345", "email": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    contact.refresh_from_db()
    assert contact.phone == "13800138000"


def test_distributor_staff_cannot_edit_contacts(client, dist_staff, contact):
    client.force_login(dist_staff)
    assert client.get(reverse("portal:contact_edit", args=[contact.pk])).status_code == 403
    response = client.post(reverse("portal:contact_edit", args=[contact.pk]), {"phone": "13700137000"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.phone == "13800138000"


# --- qualifications -------------------------------------------------------------------


def test_renewed_qualification_waits_for_verification_and_notifies_channel_manager(
        client, dist_staff, distributor, channel_manager):
    old = QualificationFactory(distributor=distributor, valid_to=timezone.localdate() + dt.timedelta(days=5))
    client.force_login(dist_staff)
    form_page = client.get(reverse("portal:qualification_upload"), {"replaces": old.pk})
    assert form_page.context["form"].initial["replaces"] == old.pk
    response = client.post(reverse("portal:qualification_upload"), {
        "type": "business_licence", "number": "NEW-1", "issuer": "市监局", "valid_from": "2025-01-01",
        "valid_to": "2030-12-31", "file": pdf("新执照.pdf"), "replaces": old.pk,
    })
    assert response.status_code == 302
    new = Qualification.objects.get(number="NEW-1")
    assert new.verification_status == Qualification.Verification.PENDING
    assert new.replaces == old and new.distributor == distributor
    assert new.original_filename == "新执照.pdf"
    assert Notification.objects.filter(user=channel_manager, category=Category.QUALIFICATION).count() == 1


def test_upload_cannot_replace_another_distributors_qualification(client, dist_staff, other_distributor):
    theirs = QualificationFactory(distributor=other_distributor)
    client.force_login(dist_staff)
    response = client.post(reverse("portal:qualification_upload"), {
        "type": "business_licence", "number": "NEW-2", "file": pdf(), "replaces": theirs.pk,
    })
    assert response.status_code == 200
    assert "replaces" in response.context["form"].errors
    assert not Qualification.objects.filter(number="NEW-2").exists()


def test_upload_refuses_a_file_that_is_not_a_document(client, dist_staff):
    client.force_login(dist_staff)
    response = client.post(reverse("portal:qualification_upload"), {
        "type": "food_permit", "number": "NEW-3", "file": SimpleUploadedFile("permit.pdf", EXE),
    })
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Qualification.objects.filter(number="NEW-3").exists()


def test_upload_refuses_an_oversized_file(client, dist_staff, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(dist_staff)
    response = client.post(reverse("portal:qualification_upload"), {
        "type": "food_permit", "number": "NEW-4", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 200),
    })
    assert response.context["form"].errors["file"]
    assert not Qualification.objects.filter(number="NEW-4").exists()


# --- users ----------------------------------------------------------------------------


def test_distributor_staff_cannot_manage_users(client, dist_staff, dist_admin):
    client.force_login(dist_staff)
    assert client.get(reverse("portal:users")).status_code == 403
    assert client.get(reverse("portal:user_create")).status_code == 403
    response = client.post(reverse("portal:user_create"), {
        "username": "sneaky", "first_name": "S", "role": "distributor_admin",
        "password1": "Very-secret-123", "password2": "Very-secret-123"})
    assert response.status_code == 403
    assert client.post(reverse("portal:user_toggle", args=[dist_admin.pk]), {"active": "0"}).status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
    dist_admin.refresh_from_db()
    assert dist_admin.is_active


def test_distributor_admin_lists_only_own_users(client, dist_admin, other_dist_admin):
    client.force_login(dist_admin)
    page = client.get(reverse("portal:users")).content.decode()
    assert "d1admin" in page and "d2admin" not in page


def test_distributor_admin_creates_a_user(client, dist_admin, distributor):
    client.force_login(dist_admin)
    response = client.post(reverse("portal:user_create"), {
        "username": "clerk1", "first_name": "小李", "email": "clerk@example.com", "role": "distributor_staff",
        "password1": "Very-secret-123", "password2": "Very-secret-123"})
    assert response.status_code == 302
    user = User.objects.get(username="clerk1")
    assert user.distributor == distributor and user.role_names == {"distributor_staff"}
    assert user.check_password("Very-secret-123")


def test_user_create_shows_password_mismatch_and_weak_password(client, dist_admin):
    client.force_login(dist_admin)
    response = client.post(reverse("portal:user_create"), {
        "username": "clerk2", "first_name": "A", "role": "distributor_staff",
        "password1": "Very-secret-123", "password2": "Other-secret-123"})
    assert response.context["form"].errors["password2"]
    response = client.post(reverse("portal:user_create"), {
        "username": "clerk2", "first_name": "A", "role": "distributor_staff", "password1": "123", "password2": "123"})
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="clerk2").exists()


def test_user_toggle_deactivates_and_reactivates_but_not_oneself(client, dist_admin, dist_staff):
    client.force_login(dist_admin)
    client.post(reverse("portal:user_toggle", args=[dist_staff.pk]), {"active": "0"})
    dist_staff.refresh_from_db()
    assert not dist_staff.is_active
    client.post(reverse("portal:user_toggle", args=[dist_staff.pk]), {"active": "1"})
    dist_staff.refresh_from_db()
    assert dist_staff.is_active
    response = client.post(reverse("portal:user_toggle", args=[dist_admin.pk]), {"active": "0"}, follow=True)
    dist_admin.refresh_from_db()
    assert dist_admin.is_active
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert client.get(reverse("portal:user_toggle", args=[dist_staff.pk])).status_code == 405


# --- registration ---------------------------------------------------------------------


def registration(**overrides):
    data = {
        "name": "新星商贸", "legal_name": "新星商贸有限公司", "credit_code": make_credit_code(77),
        "region_code": "440305", "address": "深圳市南山区科技园 1 号", "parent_code": "",
        "contact_name": "陈晨", "contact_title": "总经理", "contact_phone": "13600136000",
        "contact_email": "chen@example.com", "licence_number": "LIC-001", "licence_valid_to": "2030-01-01",
        "licence_file": pdf(),
    }
    data.update(overrides)
    return data


def test_registration_creates_a_pending_distributor_with_contact_licence_and_open_review(client, admin_user):
    response = client.post(reverse("portal:register"), registration())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:register_done")
    d = Distributor.objects.get(credit_code=make_credit_code(77))
    assert d.status == Distributor.Status.PENDING_REVIEW
    assert d.region_code == "440305" and d.tier.level == 1 and d.parent is None
    contact = d.contacts.get()
    assert (contact.name, contact.phone, contact.email, contact.is_primary) == (
        "陈晨", "13600136000", "chen@example.com", True)
    licence = d.qualifications.get()
    assert licence.type == Qualification.Type.BUSINESS_LICENCE and licence.number == "LIC-001"
    assert licence.valid_to == dt.date(2030, 1, 1) and licence.file
    review = d.reviews.get()
    assert review.kind == Review.Kind.ONBOARDING and review.status == Review.Status.PENDING
    assert Notification.objects.filter(user=admin_user, category=Category.REVIEW).exists()
    done = client.get(response["Location"])
    assert "新星商贸" in done.content.decode()


def test_second_tier_registration_links_the_parent(client, distributor, channel_manager):
    response = client.post(reverse("portal:register"), registration(parent_code=distributor.code.lower()))
    assert response.status_code == 302
    d = Distributor.objects.get(credit_code=make_credit_code(77))
    assert d.parent == distributor and d.tier.level == 2 and d.channel_manager == channel_manager


def test_registration_with_an_unknown_parent_code_shows_the_error(client):
    response = client.post(reverse("portal:register"), registration(parent_code="NOPE1"))
    assert response.status_code == 200
    assert response.context["form"].errors["parent_code"]
    assert not Distributor.objects.exists()


def test_registration_with_an_invalid_credit_code_shows_the_error_and_creates_nothing(client):
    good = make_credit_code(77)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(reverse("portal:register"), registration(credit_code=bad))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert not Distributor.objects.exists() and not Contact.objects.exists() and not Review.objects.exists()


def test_registration_with_a_taken_credit_code_shows_the_error(client, distributor):
    response = client.post(reverse("portal:register"), registration(credit_code=distributor.credit_code))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert Distributor.objects.count() == 1


def test_registration_with_a_bad_licence_file_creates_nothing(client):
    response = client.post(reverse("portal:register"), registration(
        licence_file=SimpleUploadedFile("licence.pdf", EXE)))
    assert response.status_code == 200
    assert response.context["form"].errors["licence_file"]
    assert not Distributor.objects.exists() and not Contact.objects.exists()


def test_registration_keeps_the_chosen_region_when_redisplayed(client):
    response = client.post(reverse("portal:register"), registration(contact_phone="123"))
    assert response.context["form"].errors["contact_phone"]
    levels = response.context["form"].region_levels()
    assert [lv["selected"] for lv in levels] == ["44", "4403", "440305"]


def test_logged_in_user_is_redirected_away_from_registration(client, dist_admin):
    client.force_login(dist_admin)
    response = client.get(reverse("portal:register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_registration_page_is_public(client):
    response = client.get(reverse("portal:register"))
    assert response.status_code == 200
    assert b'data-region-level="0"' in response.content


def test_profile_does_not_show_another_distributors_contacts(client, dist_staff, other_distributor):
    Contact.objects.create(distributor=other_distributor, name="外人")
    client.force_login(dist_staff)
    assert "外人" not in client.get(reverse("portal:profile")).content.decode()



@pytest.mark.django_db
def test_registration_is_rate_limited_per_address(client, settings):
    settings.REGISTRATION_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/portal/register/", {}, REMOTE_ADDR="198.51.100.9").status_code == 200  # form errors
    response = client.post("/portal/register/", {}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert client.post("/portal/register/", {}, REMOTE_ADDR="198.51.100.10").status_code == 200


def test_client_ip_behind_proxies(rf, settings):
    from dms.core.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.1", REMOTE_ADDR="10.0.0.2")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.1"
