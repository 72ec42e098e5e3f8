import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dms.accounts.models import User
from dms.core.testing.factories import (
    ContractFactory,
    DistributorFactory,
    QualificationFactory,
    bearer,
    make_credit_code,
    portal_user,
    tier,
)
from dms.distributors.models import Contract, Distributor, Qualification, Review

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 512


def post(client, url, user, data=None):
    return client.post(url, data or {}, content_type="application/json", **bearer(user))


def patch(client, url, user, data):
    return client.patch(url, data, content_type="application/json", **bearer(user))


def fields(response):
    return response.json()["error"]["fields"]


# --- list, filters, pagination ---------------------------------------------------------


def test_list_filters_and_pagination(client, admin_user):
    first = DistributorFactory(name="华南贸易", status=Distributor.Status.ACTIVE)
    DistributorFactory(name="华北贸易", status=Distributor.Status.SUSPENDED)
    DistributorFactory(name="西部商行", status=Distributor.Status.PROSPECT)
    DistributorFactory(name="二级分销", tier=tier(2), parent=first, status=Distributor.Status.ACTIVE)
    headers = bearer(admin_user)

    body = client.get("/api/v1/distributors/?page_size=2", **headers).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"] is None
    second_page = client.get("/api/v1/distributors/?page_size=2&page=2", **headers).json()
    assert {d["id"] for d in body["results"]}.isdisjoint({d["id"] for d in second_page["results"]})

    active = client.get("/api/v1/distributors/?status=active", **headers).json()
    assert {d["name"] for d in active["results"]} == {"华南贸易", "二级分销"}
    tier1_active = client.get("/api/v1/distributors/?status=active&tier=1", **headers).json()
    assert [d["name"] for d in tier1_active["results"]] == ["华南贸易"]
    tier2 = client.get("/api/v1/distributors/?tier=2", **headers).json()["results"]
    assert tier2[0]["tier"] == 2 and tier2[0]["parent"] == first.pk
    search = client.get("/api/v1/distributors/?search=贸易", **headers).json()
    assert search["count"] == 2
    by_code = client.get(f"/api/v1/distributors/?search={first.credit_code}", **headers).json()
    assert [d["id"] for d in by_code["results"]] == [first.pk]

    names = [d["name"] for d in client.get("/api/v1/distributors/?ordering=-name", **headers).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_list_item_shape(client, admin_user, distributor, channel_manager):
    item = client.get("/api/v1/distributors/", **bearer(admin_user)).json()["results"][0]
    for key in ["id", "code", "name", "credit_code", "tier", "parent", "region", "region_name", "status",
                "channel_manager", "legal_name", "sales_territory", "address", "tags", "contacts",
                "qualification_flag", "next_review_date", "created_at"]:
        assert key in item
    assert item["tier"] == 1
    assert item["region"] == "440305"
    assert item["region_name"]
    assert item["channel_manager"] == channel_manager.pk
    assert "+08:00" in item["created_at"]


def test_distributor_user_sees_only_itself(client, distributor, other_distributor, dist_admin):
    body = client.get("/api/v1/distributors/", **bearer(dist_admin)).json()
    assert [d["id"] for d in body["results"]] == [distributor.pk]
    assert client.get(f"/api/v1/distributors/{other_distributor.pk}/", **bearer(dist_admin)).status_code == 404


def test_channel_manager_sees_only_his_distributors(client, channel_manager, distributor, other_distributor):
    body = client.get("/api/v1/distributors/", **bearer(channel_manager)).json()
    assert [d["id"] for d in body["results"]] == [distributor.pk]
    assert client.get(f"/api/v1/distributors/{other_distributor.pk}/", **bearer(channel_manager)).status_code == 404


# --- create and update -------------------------------------------------------------------


def test_create_with_invalid_credit_code_is_400(client, admin_user):
    bad = make_credit_code(7)[:-1] + ("0" if make_credit_code(7)[-1] != "0" else "1")
    response = post(client, "/api/v1/distributors/", admin_user, {"name": "坏代码", "credit_code": bad, "tier": 1})
    assert response.status_code == 400
    assert "credit_code" in fields(response)
    assert not Distributor.objects.filter(name="坏代码").exists()


def test_create_valid_is_prospect(client, admin_user, channel_manager):
    data = {
        "name": "新经销商", "credit_code": make_credit_code(11).lower(), "tier": 1, "region": "440305",
        "channel_manager": channel_manager.pk, "tags": ["重点", "华南"],
        "contacts": [{"name": "张三", "phone": "13800138000", "email": "zs@example.com", "title": "经理"}],
    }
    response = post(client, "/api/v1/distributors/", admin_user, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "prospect"
    assert body["code"].startswith("D")
    assert body["credit_code"] == make_credit_code(11)
    assert sorted(body["tags"]) == ["华南", "重点"]
    assert body["contacts"][0]["name"] == "张三" and body["contacts"][0]["is_primary"]
    assert Distributor.objects.get(pk=body["id"]).channel_manager == channel_manager


def test_create_duplicate_credit_code_and_missing_parent(client, admin_user, distributor):
    response = post(client, "/api/v1/distributors/", admin_user,
                    {"name": "重复", "credit_code": distributor.credit_code, "tier": 1})
    assert response.status_code == 400 and "credit_code" in fields(response)
    response = post(client, "/api/v1/distributors/", admin_user,
                    {"name": "二级", "credit_code": make_credit_code(12), "tier": 2})
    assert response.status_code == 400 and "parent" in fields(response)
    response = post(client, "/api/v1/distributors/", admin_user,
                    {"name": "无级", "credit_code": make_credit_code(13), "tier": 9})
    assert response.status_code == 400 and "tier" in fields(response)


def test_channel_manager_creates_for_himself(client, channel_manager):
    response = post(client, "/api/v1/distributors/", channel_manager,
                    {"name": "自建", "credit_code": make_credit_code(14), "tier": 1,
                     "contacts": [{"name": "李四", "phone": "13900139000"}]})
    assert response.status_code == 201
    assert response.json()["channel_manager"] == channel_manager.pk
    assert response.json()["contacts"][0]["name"] == "李四"
    assert client.get(f"/api/v1/distributors/{response.json()['id']}/", **bearer(channel_manager)).status_code == 200


def test_channel_manager_cannot_create_for_another_manager(client, channel_manager, make_staff):
    other = make_staff("channel_manager")
    response = post(client, "/api/v1/distributors/", channel_manager,
                    {"name": "给别人", "credit_code": make_credit_code(16), "tier": 1, "channel_manager": other.pk})
    assert response.status_code == 400 and "channel_manager" in fields(response)
    assert not Distributor.objects.filter(name="给别人").exists()


def test_create_refused_without_permission(client, make_staff, dist_admin):
    data = {"name": "x", "credit_code": make_credit_code(15), "tier": 1}
    assert post(client, "/api/v1/distributors/", make_staff("warehouse"), data).status_code == 403
    assert post(client, "/api/v1/distributors/", dist_admin, data).status_code == 403


def test_patch(client, admin_user, distributor, other_distributor, dist_admin):
    url = f"/api/v1/distributors/{distributor.pk}/"
    response = patch(client, url, admin_user, {"name": "改名了", "address": "深圳市南山区", "tags": ["A"]})
    assert response.status_code == 200
    assert response.json()["name"] == "改名了" and response.json()["tags"] == ["A"]
    distributor.refresh_from_db()
    assert distributor.name == "改名了"
    response = patch(client, url, admin_user, {"credit_code": "123"})
    assert response.status_code == 400 and "credit_code" in fields(response)
    response = patch(client, url, admin_user, {"parent": other_distributor.pk})
    assert response.status_code == 400 and "parent" in fields(response)  # same tier
    assert patch(client, url, dist_admin, {"name": "自改"}).status_code == 403
    other = f"/api/v1/distributors/{other_distributor.pk}/"
    assert patch(client, other, dist_admin, {"name": "他改"}).status_code == 404


# --- lifecycle ----------------------------------------------------------------------------


def transition(client, user, distributor, action, reason="因为"):
    return post(client, f"/api/v1/distributors/{distributor.pk}/{action}/", user, {"reason": reason})


def test_lifecycle_allowed_transitions(client, admin_user):
    d = DistributorFactory(status=Distributor.Status.PROSPECT)
    response = transition(client, admin_user, d, "submit")
    assert response.status_code == 200 and response.json()["status"] == "pending_review"
    assert Review.objects.filter(distributor=d, status="pending", kind="onboarding").exists()

    Distributor.objects.filter(pk=d.pk).update(status=Distributor.Status.ACTIVE)
    response = transition(client, admin_user, d, "suspend", "逾期付款")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert response.json()["status_reason"] == "逾期付款"
    response = transition(client, admin_user, d, "reactivate")
    assert response.status_code == 200 and response.json()["status"] == "active"
    response = transition(client, admin_user, d, "terminate", "合同到期")
    assert response.status_code == 200 and response.json()["status"] == "terminated"


def test_prospect_can_be_terminated(client, admin_user):
    d = DistributorFactory(status=Distributor.Status.PROSPECT)
    assert transition(client, admin_user, d, "terminate").json()["status"] == "terminated"


@pytest.mark.parametrize(("status", "action"), [
    ("prospect", "suspend"),
    ("prospect", "reactivate"),
    ("pending_review", "suspend"),
    ("active", "submit"),
    ("suspended", "submit"),
    ("terminated", "submit"),
    ("terminated", "suspend"),
    ("terminated", "reactivate"),
])
def test_refused_transitions_are_409(client, admin_user, status, action):
    d = DistributorFactory(status=status)
    response = transition(client, admin_user, d, action)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    d.refresh_from_db()
    assert d.status == status


def test_suspend_needs_reason(client, admin_user, distributor):
    response = transition(client, admin_user, distributor, "suspend", "")
    assert response.status_code == 400 and "reason" in fields(response)


def test_transition_permissions(client, channel_manager, distributor, dist_admin):
    # a channel manager may submit but not suspend; a distributor user may do neither
    assert transition(client, channel_manager, distributor, "suspend").status_code == 403
    assert transition(client, dist_admin, distributor, "suspend").status_code == 403
    d = DistributorFactory(status=Distributor.Status.PROSPECT, channel_manager=channel_manager)
    assert transition(client, channel_manager, d, "submit").status_code == 200


# --- reviews ------------------------------------------------------------------------------


def test_two_step_review_activates_and_creates_first_user(client, admin_user, channel_manager, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    created = post(client, "/api/v1/distributors/", channel_manager, {
        "name": "待审经销商", "credit_code": make_credit_code(21), "tier": 1,
        "contacts": [{"name": "王五", "phone": "13700137000", "email": "ww@example.com"}],
    }).json()
    submitted = post(client, f"/api/v1/distributors/{created['id']}/submit/", channel_manager)
    assert submitted.json()["status"] == "pending_review"

    reviews = client.get("/api/v1/reviews/?status=pending&kind=onboarding", **bearer(channel_manager)).json()
    assert reviews["count"] == 1
    review = reviews["results"][0]
    assert review["distributor"] == created["id"]
    assert review["step"]["position"] == 1 and review["can_decide"]

    step1 = post(client, f"/api/v1/reviews/{review['id']}/approve/", channel_manager, {"comment": "资料齐全"})
    assert step1.status_code == 200
    assert step1.json()["status"] == "pending" and step1.json()["step"]["position"] == 2
    assert step1.json()["decisions"][0]["comment"] == "资料齐全"
    assert not step1.json()["can_decide"]

    refused = post(client, f"/api/v1/reviews/{review['id']}/approve/", channel_manager, {"comment": "再批"})
    assert refused.status_code == 403
    assert Distributor.objects.get(pk=created["id"]).status == "pending_review"

    with django_capture_on_commit_callbacks(execute=True):
        final = post(client, f"/api/v1/reviews/{review['id']}/approve/", admin_user, {"comment": "同意"})
    assert final.status_code == 200
    assert final.json()["status"] == "approved" and len(final.json()["decisions"]) == 2
    distributor = Distributor.objects.get(pk=created["id"])
    assert distributor.status == "active"
    assert distributor.next_review_date is not None
    users = list(User.objects.filter(distributor=distributor))
    assert len(users) == 1 and users[0].distributor_role == "distributor_admin"
    assert any("ww@example.com" in m.to for m in mailoutbox)

    again = post(client, f"/api/v1/reviews/{review['id']}/approve/", admin_user)
    assert again.status_code == 409

    detail = client.get(f"/api/v1/reviews/{review['id']}/", **bearer(admin_user)).json()
    assert [d["step"]["position"] for d in detail["decisions"]] == [1, 2]


def test_reject_needs_comment_and_returns_to_prospect(client, channel_manager):
    d = DistributorFactory(status=Distributor.Status.PROSPECT, channel_manager=channel_manager)
    post(client, f"/api/v1/distributors/{d.pk}/submit/", channel_manager)
    review = Review.objects.get(distributor=d)
    response = post(client, f"/api/v1/reviews/{review.pk}/reject/", channel_manager, {"comment": ""})
    assert response.status_code == 400 and "comment" in fields(response)
    response = post(client, f"/api/v1/reviews/{review.pk}/reject/", channel_manager, {"comment": "执照过期"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    d.refresh_from_db()
    assert d.status == "prospect"


def test_stale_step_is_409(client, channel_manager, admin_user):
    d = DistributorFactory(status=Distributor.Status.PROSPECT, channel_manager=channel_manager)
    post(client, f"/api/v1/distributors/{d.pk}/submit/", channel_manager)
    review = Review.objects.get(distributor=d)
    first_step = review.step_id
    url = f"/api/v1/reviews/{review.pk}/approve/"
    assert post(client, url, admin_user, {"step": first_step}).status_code == 200
    # a double submit of the same decision does not approve step 2 as well
    response = post(client, url, admin_user, {"step": first_step})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    review.refresh_from_db()
    assert review.status == "pending" and review.step_id != first_step and review.decisions.count() == 1


def test_distributor_user_cannot_decide_own_review(client, distributor, dist_admin):
    review = Review.objects.create(distributor=distributor, kind="periodic")
    assert client.get(f"/api/v1/reviews/{review.pk}/", **bearer(dist_admin)).status_code == 200
    assert post(client, f"/api/v1/reviews/{review.pk}/approve/", dist_admin).status_code == 403


# --- qualifications -------------------------------------------------------------------------


def upload(client, user, distributor, content, name="licence.pdf", **extra):
    data = {"type": "business_licence", "number": "LIC-001", "valid_to": "2030-12-31",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"), **extra}
    return client.post(f"/api/v1/distributors/{distributor.pk}/qualifications/", data, **bearer(user))


def test_distributor_uploads_pdf_and_staff_verifies(client, distributor, dist_admin, channel_manager):
    response = upload(client, dist_admin, distributor, PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verification_status"] == "pending" and body["has_file"]
    assert body["original_filename"] == "licence.pdf"

    listed = client.get(f"/api/v1/distributors/{distributor.pk}/qualifications/", **bearer(dist_admin)).json()
    assert [q["id"] for q in listed["results"]] == [body["id"]]

    download = client.get(body["file_url"], **bearer(dist_admin))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    verify_url = f"/api/v1/distributors/{distributor.pk}/qualifications/{body['id']}/verify/"
    assert post(client, verify_url, dist_admin, {"approve": True}).status_code == 403
    refused = post(client, verify_url, channel_manager, {"approve": False, "comment": ""})
    assert refused.status_code == 400 and "comment" in fields(refused)
    verified = post(client, verify_url, channel_manager, {"approve": True, "comment": "核对无误"})
    assert verified.status_code == 200 and verified.json()["verification_status"] == "verified"


def test_oversized_upload_is_400(client, settings, distributor, dist_admin):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(client, dist_admin, distributor, PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "file" in fields(response)
    assert not Qualification.objects.filter(distributor=distributor).exists()


def test_executable_named_pdf_is_400(client, distributor, dist_admin):
    response = upload(client, dist_admin, distributor, EXE, name="licence.pdf")
    assert response.status_code == 400
    assert "file" in fields(response)
    assert not Qualification.objects.filter(distributor=distributor).exists()


def test_qualification_validation_and_staff_permission(client, make_staff, distributor, admin_user):
    response = upload(client, admin_user, distributor, PDF, valid_from="2031-01-01")
    assert response.status_code == 400 and "valid_to" in fields(response)
    response = upload(client, admin_user, distributor, PDF, type="nonsense")
    assert response.status_code == 400 and "type" in fields(response)
    assert upload(client, make_staff("finance"), distributor, PDF).status_code == 403  # read-only role
    q = QualificationFactory(distributor=distributor)
    detail = client.get(f"/api/v1/distributors/{distributor.pk}/qualifications/{q.pk}/",
                        **bearer(make_staff("finance")))
    assert detail.status_code == 200 and detail.json()["number"] == q.number
    no_file = client.get(f"/api/v1/distributors/{distributor.pk}/qualifications/{q.pk}/file/", **bearer(admin_user))
    assert no_file.status_code == 404


# --- contracts --------------------------------------------------------------------------------


def test_contract_create_download_renew_terminate(client, admin_user, distributor, dist_admin):
    today = timezone.localdate()
    data = {
        "type": "distribution", "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=365)).isoformat(), "annual_target_amount": "1200000.5",
        "deposit_amount": "50000", "activate": "true",
        "signed_file": SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
    }
    base = f"/api/v1/distributors/{distributor.pk}/contracts/"
    response = client.post(base, data, **bearer(admin_user))
    assert response.status_code == 201, response.content
    contract = response.json()
    assert contract["status"] == "active"
    assert contract["annual_target_amount"] == "1200000.50"
    assert contract["number"].startswith("HT")

    assert client.post(base, data, **bearer(dist_admin)).status_code == 403
    listed = client.get(base, **bearer(dist_admin)).json()
    assert [c["id"] for c in listed["results"]] == [contract["id"]]
    download = client.get(contract["file_url"], **bearer(dist_admin))
    assert b"".join(download.streaming_content) == PDF
    assert post(client, f"{base}{contract['id']}/terminate/", dist_admin).status_code == 403

    renewed = post(client, f"{base}{contract['id']}/renew/", admin_user, {"annual_target_amount": "1500000.00"})
    assert renewed.status_code == 201, renewed.content
    assert renewed.json()["previous"] == contract["id"] and renewed.json()["status"] == "active"
    assert renewed.json()["annual_target_amount"] == "1500000.00"
    old = client.get(f"{base}{contract['id']}/", **bearer(admin_user)).json()
    assert old["status"] == "renewed" and old["renewal"] == renewed.json()["id"]
    assert post(client, f"{base}{contract['id']}/renew/", admin_user).status_code == 409

    new_id = renewed.json()["id"]
    assert post(client, f"{base}{new_id}/terminate/", admin_user).json()["status"] == "terminated"
    refused = post(client, f"{base}{new_id}/activate/", admin_user)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"


def test_contract_validation(client, admin_user, distributor):
    base = f"/api/v1/distributors/{distributor.pk}/contracts/"
    response = post(client, base, admin_user, {"start_date": "2030-01-01", "end_date": "2029-01-01"})
    assert response.status_code == 400 and "end_date" in fields(response)
    response = post(client, base, admin_user, {"start_date": "2030-01-01"})
    assert response.status_code == 400 and "end_date" in fields(response)
    draft = ContractFactory(distributor=distributor, status=Contract.Status.DRAFT,
                            start_date=timezone.localdate(), end_date=timezone.localdate() + dt.timedelta(days=30))
    assert post(client, f"{base}{draft.pk}/activate/", admin_user).json()["status"] == "active"


# --- portal users -------------------------------------------------------------------------------


def test_distributor_admin_creates_users_staff_cannot(client, distributor, dist_admin):
    url = f"/api/v1/distributors/{distributor.pk}/users/"
    response = post(client, url, dist_admin, {"username": "d1clerk", "password": "Very-long-pass-42",
                                              "role": "distributor_staff", "email": "clerk@example.com"})
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "distributor_staff"
    clerk = User.objects.get(username="d1clerk")
    assert clerk.distributor == distributor and clerk.check_password("Very-long-pass-42")

    refused = post(client, url, clerk, {"username": "d1other", "password": "Very-long-pass-42",
                                        "role": "distributor_staff"})
    assert refused.status_code == 403
    assert not User.objects.filter(username="d1other").exists()
    assert post(client, f"{url}{dist_admin.pk}/deactivate/", clerk).status_code == 403

    listed = client.get(url, **bearer(clerk)).json()
    assert {u["username"] for u in listed["results"]} == {"d1admin", "d1clerk"}


def test_portal_user_validation(client, distributor, dist_admin, channel_manager):
    url = f"/api/v1/distributors/{distributor.pk}/users/"
    response = post(client, url, dist_admin, {"username": "d1admin", "password": "Very-long-pass-42",
                                              "role": "distributor_staff"})
    assert response.status_code == 400 and "username" in fields(response)
    response = post(client, url, dist_admin, {"username": "weak", "password": "123", "role": "distributor_staff"})
    assert response.status_code == 400 and "password" in fields(response)
    response = post(client, url, dist_admin, {"username": "boss", "password": "Very-long-pass-42", "role": "admin"})
    assert response.status_code == 400 and "role" in fields(response)
    response = post(client, url, channel_manager, {"username": "bycm", "password": "Very-long-pass-42",
                                                   "role": "distributor_admin"})
    assert response.status_code == 201


def test_deactivate_and_activate(client, distributor, dist_admin):
    clerk = portal_user(distributor, "distributor_staff", username="clerk2")
    url = f"/api/v1/distributors/{distributor.pk}/users/{clerk.pk}/"
    headers = bearer(clerk)
    response = post(client, url + "deactivate/", dist_admin)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/me/", **headers).status_code == 401
    assert post(client, url + "activate/", dist_admin).json()["is_active"] is True
    self_off = post(client, f"/api/v1/distributors/{distributor.pk}/users/{dist_admin.pk}/deactivate/", dist_admin)
    assert self_off.status_code == 400


def test_users_of_another_distributor_are_404_even_through_own_parent(client, distributor, other_distributor,
                                                                      dist_admin, other_dist_admin):
    url = f"/api/v1/distributors/{distributor.pk}/users/{other_dist_admin.pk}/deactivate/"
    assert post(client, url, dist_admin).status_code == 404
    other_dist_admin.refresh_from_db()
    assert other_dist_admin.is_active
