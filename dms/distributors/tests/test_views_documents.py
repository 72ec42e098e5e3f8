"""Back-office pages for qualifications, contracts and reviews."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dms.audit.models import AuditLog
from dms.core.testing.factories import ContractFactory, DistributorFactory, QualificationFactory
from dms.distributors import services
from dms.distributors.models import Contract, Distributor, Qualification, Review

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def login(client, user):
    client.force_login(user)
    return client


def pdf_upload(name="licence.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def page_messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def contract(distributor, **kwargs):
    kwargs.setdefault("start_date", TODAY - dt.timedelta(days=300))
    kwargs.setdefault("end_date", TODAY + dt.timedelta(days=65))
    return ContractFactory(distributor=distributor, **kwargs)


def stored_qualification(distributor, content=PDF, name="营业执照.pdf"):
    return services.add_qualification(distributor_id=distributor.pk, file=pdf_upload(name, content),
                                      type=Qualification.Type.BUSINESS_LICENCE, number="LIC-1")


def stored_contract(distributor, content=PDF, name="signed contract.pdf"):
    return services.create_contract(distributor_id=distributor.pk, signed_file=pdf_upload(name, content),
                                    start_date=TODAY, end_date=TODAY + dt.timedelta(days=365), activate=True)


# --- access ---------------------------------------------------------------------------


def test_distributor_user_gets_404_on_every_page(client, dist_admin, distributor):
    q = stored_qualification(distributor)
    c = stored_contract(distributor)
    review = Review.objects.create(distributor=distributor, kind=Review.Kind.PERIODIC)
    login(client, dist_admin)
    get_urls = [
        reverse("distributors:qualifications"),
        reverse("distributors:qualification_create", args=[distributor.pk]),
        reverse("distributors:qualification_verify", args=[q.pk]),
        reverse("distributors:qualification_file", args=[q.pk]),
        reverse("distributors:contracts"),
        reverse("distributors:contract_create", args=[distributor.pk]),
        reverse("distributors:contract", args=[c.pk]),
        reverse("distributors:contract_renew", args=[c.pk]),
        reverse("distributors:contract_file", args=[c.pk]),
        reverse("distributors:reviews"),
        reverse("distributors:review", args=[review.pk]),
        reverse("backoffice:dashboard"),
        reverse("audit:list"),
    ]
    for url in get_urls:
        assert client.get(url).status_code == 404, url
    post_urls = [
        reverse("distributors:qualification_verify", args=[q.pk]),
        reverse("distributors:contract_transition", args=[c.pk, "terminate"]),
        reverse("distributors:review", args=[review.pk]),
    ]
    for url in post_urls:
        assert client.post(url, {"decision": "approve", "action": "approve"}).status_code == 404, url
    c.refresh_from_db()
    q.refresh_from_db()
    assert c.status == Contract.Status.ACTIVE
    assert q.verification_status == Qualification.Verification.PENDING


def test_warehouse_role_cannot_add_or_verify(client, make_staff, distributor):
    q = QualificationFactory(distributor=distributor, verification_status=Qualification.Verification.PENDING)
    login(client, make_staff("warehouse"))
    assert client.get(reverse("distributors:qualification_create", args=[distributor.pk])).status_code == 403
    assert client.post(reverse("distributors:qualification_create", args=[distributor.pk]),
                       {"type": "other", "number": "X"}).status_code == 403
    assert client.post(reverse("distributors:qualification_verify", args=[q.pk]),
                       {"decision": "approve"}).status_code == 403
    assert client.get(reverse("distributors:contract_create", args=[distributor.pk])).status_code == 403
    assert client.get(reverse("distributors:qualifications")).status_code == 403
    q.refresh_from_db()
    assert q.verification_status == Qualification.Verification.PENDING
    assert Qualification.objects.filter(distributor=distributor).count() == 1


def test_finance_can_read_contracts_but_not_change_them(client, make_staff, distributor):
    c = contract(distributor)
    login(client, make_staff("finance"))
    assert client.get(reverse("distributors:contract", args=[c.pk])).status_code == 200
    assert client.post(reverse("distributors:contract_transition", args=[c.pk, "terminate"])).status_code == 403
    c.refresh_from_db()
    assert c.status == Contract.Status.ACTIVE


# --- qualifications -------------------------------------------------------------------


def test_channel_manager_adds_a_qualification_with_a_file(client, channel_manager, distributor):
    old = QualificationFactory(distributor=distributor)
    login(client, channel_manager)
    response = client.post(reverse("distributors:qualification_create", args=[distributor.pk]), {
        "type": "business_licence", "number": "91440300MA5", "issuer": "深圳市市场监督管理局",
        "valid_from": "2024-01-01", "valid_to": "2030-12-31", "replaces": old.pk, "file": pdf_upload("执照.pdf"),
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("distributors:detail", args=[distributor.pk]) + "#qualifications"
    q = Qualification.objects.get(number="91440300MA5")
    assert q.original_filename == "执照.pdf"
    assert q.replaces == old
    assert q.verification_status == Qualification.Verification.PENDING
    assert q.file.read() == PDF


def test_upload_of_a_non_document_is_refused_and_nothing_saved(client, channel_manager, distributor):
    login(client, channel_manager)
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 this is not a pdf", content_type="application/pdf")
    response = client.post(reverse("distributors:qualification_create", args=[distributor.pk]),
                           {"type": "business_licence", "number": "N1", "file": fake})
    assert response.status_code == 200
    assert "Only PDF, JPG and PNG files are accepted" in response.content.decode()
    assert not Qualification.objects.filter(distributor=distributor).exists()


def test_upload_over_the_size_limit_is_refused(client, channel_manager, distributor, settings):
    settings.UPLOAD_MAX_BYTES = 20
    login(client, channel_manager)
    response = client.post(reverse("distributors:qualification_create", args=[distributor.pk]),
                           {"type": "business_licence", "number": "N1", "file": pdf_upload()})
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not Qualification.objects.filter(distributor=distributor).exists()


def test_qualification_form_rejects_end_before_start(client, channel_manager, distributor):
    login(client, channel_manager)
    response = client.post(reverse("distributors:qualification_create", args=[distributor.pk]),
                           {"type": "other", "number": "N1", "valid_from": "2025-05-01", "valid_to": "2025-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["valid_to"]
    assert not Qualification.objects.filter(distributor=distributor).exists()


def test_qualification_of_another_managers_distributor_is_404(client, channel_manager, other_distributor):
    q = QualificationFactory(distributor=other_distributor, verification_status="pending")
    login(client, channel_manager)
    assert client.get(reverse("distributors:qualification_create", args=[other_distributor.pk])).status_code == 404
    assert client.post(reverse("distributors:qualification_verify", args=[q.pk]),
                       {"decision": "approve"}).status_code == 404
    q.refresh_from_db()
    assert q.verification_status == "pending"


def test_verify_and_reject_qualification(client, channel_manager, distributor):
    q = QualificationFactory(distributor=distributor, verification_status="pending")
    login(client, channel_manager)
    url = reverse("distributors:qualification_verify", args=[q.pk])
    assert client.get(url).status_code == 200

    # rejecting needs a comment: the page shows the error, nothing changes
    response = client.post(url, {"decision": "reject", "comment": " "})
    assert response.status_code == 200
    assert "Say why the document is rejected." in response.content.decode()
    q.refresh_from_db()
    assert q.verification_status == "pending"

    response = client.post(url, {"decision": "approve", "comment": "ok"})
    assert response["Location"] == reverse("distributors:detail", args=[distributor.pk]) + "#qualifications"
    q.refresh_from_db()
    assert q.verification_status == "verified"
    assert q.verified_by == channel_manager


def test_inline_verify_returns_to_a_safe_next_only(client, channel_manager, distributor):
    q = QualificationFactory(distributor=distributor, verification_status="pending")
    login(client, channel_manager)
    url = reverse("distributors:qualification_verify", args=[q.pk])
    response = client.post(url, {"decision": "reject", "comment": "blurred", "next": "https://evil.example/"})
    assert response["Location"] == reverse("distributors:detail", args=[distributor.pk]) + "#qualifications"
    q.refresh_from_db()
    assert q.verification_status == "rejected"
    back = reverse("distributors:qualifications") + "?quick=pending"
    assert client.post(url, {"action": "approve", "next": back})["Location"] == back
    q.refresh_from_db()
    assert q.verification_status == "verified"


def test_qualification_download(client, channel_manager, distributor, other_distributor, make_staff):
    q = stored_qualification(distributor, content=PDF + b"own")
    other = stored_qualification(other_distributor)
    login(client, channel_manager)
    response = client.get(reverse("distributors:qualification_file", args=[q.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF + b"own"
    assert "attachment" in response["Content-Disposition"]
    assert "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in response["Content-Disposition"]  # 营业执照.pdf
    assert client.get(reverse("distributors:qualification_file", args=[other.pk])).status_code == 404
    # another channel manager cannot download this one
    login(client, other_distributor.channel_manager)
    assert client.get(reverse("distributors:qualification_file", args=[q.pk])).status_code == 404


def test_qualification_list_quick_filters_and_export(client, channel_manager, distributor, other_distributor):
    expired = QualificationFactory(distributor=distributor, number="EXPIRED-1",
                                   valid_to=TODAY - dt.timedelta(days=3))
    expiring = QualificationFactory(distributor=distributor, number="SOON-1", valid_to=TODAY + dt.timedelta(days=10))
    QualificationFactory(distributor=distributor, number="LATER-1", valid_to=TODAY + dt.timedelta(days=200))
    pending = QualificationFactory(distributor=distributor, number="PENDING-1", verification_status="pending")
    # an expired document replaced by a verified one is no longer "expired"
    replaced = QualificationFactory(distributor=distributor, number="OLD-1", valid_to=TODAY - dt.timedelta(days=90))
    QualificationFactory(distributor=distributor, number="NEW-1", replaces=replaced,
                         valid_to=TODAY + dt.timedelta(days=700))
    QualificationFactory(distributor=other_distributor, number="OTHER-EXPIRED", valid_to=TODAY - dt.timedelta(days=3))
    login(client, channel_manager)
    url = reverse("distributors:qualifications")

    def numbers(response):
        return {q.number for q in response.context["page_obj"]}

    assert numbers(client.get(url, {"quick": "expired"})) == {expired.number}
    assert numbers(client.get(url, {"quick": "expiring"})) == {expiring.number}
    assert numbers(client.get(url, {"quick": "pending"})) == {pending.number}
    everything = numbers(client.get(url))
    assert "OTHER-EXPIRED" not in everything and len(everything) == 6
    assert numbers(client.get(url, {"search": "soon"})) == {"SOON-1"}
    by = (TODAY + dt.timedelta(days=15)).isoformat()
    assert numbers(client.get(url, {"expires_before": by, "verification_status": "verified"})) == {
        "EXPIRED-1", "SOON-1", "OLD-1"}

    response = client.get(url, {"quick": "expired", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == distributor.code and rows[1][3] == "EXPIRED-1"


def test_qualification_list_htmx_renders_only_the_results(client, channel_manager, distributor):
    QualificationFactory(distributor=distributor, number="Q-HTMX")
    login(client, channel_manager)
    response = client.get(reverse("distributors:qualifications"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Q-HTMX" in html
    assert "<html" not in html and 'id="results"' in html


# --- contracts ------------------------------------------------------------------------


def test_create_contract_generates_number_and_activates(client, channel_manager, distributor):
    login(client, channel_manager)
    response = client.post(reverse("distributors:contract_create", args=[distributor.pk]), {
        "type": "distribution", "start_date": TODAY.isoformat(),
        "end_date": (TODAY + dt.timedelta(days=364)).isoformat(), "territory": "广东省",
        "annual_target_amount": "1200000.00", "deposit_amount": "50000", "activate": "on",
        "signed_file": pdf_upload("合同.pdf"),
    })
    c = Contract.objects.get(distributor=distributor)
    assert response["Location"] == reverse("distributors:contract", args=[c.pk])
    assert c.number.startswith("HT")
    assert c.status == Contract.Status.ACTIVE
    assert str(c.annual_target_amount) == "1200000.00"
    assert c.original_filename == "合同.pdf"
    assert c.created_by == channel_manager


def test_create_contract_errors_save_nothing(client, channel_manager, distributor):
    ContractFactory(distributor=distributor, number="HT-DUP", start_date=TODAY, end_date=TODAY)
    login(client, channel_manager)
    url = reverse("distributors:contract_create", args=[distributor.pk])
    response = client.post(url, {"type": "distribution", "start_date": "2025-05-01", "end_date": "2025-01-01"})
    assert response.context["form"].errors["end_date"]
    response = client.post(url, {"number": "HT-DUP", "type": "distribution", "start_date": "2025-01-01",
                                 "end_date": "2025-12-31"})
    assert response.status_code == 200 and response.context["form"].errors["number"]
    response = client.post(url, {"type": "distribution", "start_date": "2025-01-01", "end_date": "2025-12-31",
                                 "signed_file": SimpleUploadedFile("a.pdf", b"plain text")})
    assert "Only PDF, JPG and PNG" in response.content.decode()
    assert Contract.objects.filter(distributor=distributor).count() == 1


def test_contract_number_used_by_another_managers_distributor(client, channel_manager, distributor,
                                                             other_distributor):
    ContractFactory(distributor=other_distributor, number="HT-TAKEN", start_date=TODAY, end_date=TODAY)
    login(client, channel_manager)
    response = client.post(reverse("distributors:contract_create", args=[distributor.pk]), {
        "number": "HT-TAKEN", "type": "distribution", "start_date": "2025-01-01", "end_date": "2025-12-31"})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert not Contract.objects.filter(distributor=distributor).exists()


def test_contract_detail_shows_terms_chain_and_history(client, channel_manager, distributor):
    old = contract(distributor, number="HT-OLD", territory="华南")
    login(client, channel_manager)
    client.post(reverse("distributors:contract_renew", args=[old.pk]), {
        "type": "distribution", "start_date": (old.end_date + dt.timedelta(days=1)).isoformat(),
        "end_date": (old.end_date + dt.timedelta(days=366)).isoformat(), "number": "HT-NEW"})
    new = Contract.objects.get(number="HT-NEW")
    response = client.get(reverse("distributors:contract", args=[old.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "华南" in html
    assert reverse("distributors:contract", args=[new.pk]) in html  # the renewal link
    history = response.context["history"]
    assert [r.action for r in history][:1] == [AuditLog.Action.TRANSITION]
    assert any(row["after"] == "Renewed" for row in history[0].rows)
    response = client.get(reverse("distributors:contract", args=[new.pk]))
    assert reverse("distributors:contract", args=[old.pk]) in response.content.decode()  # the previous link


def test_renew_contract_creates_linked_contract(client, channel_manager, distributor):
    old = contract(distributor, number="HT-2024", territory="广东", product_lines="A,B",
                   end_date=TODAY + dt.timedelta(days=20))
    login(client, channel_manager)
    url = reverse("distributors:contract_renew", args=[old.pk])
    form = client.get(url).context["form"]
    assert form.initial["start_date"] == old.end_date + dt.timedelta(days=1)
    assert form.initial["territory"] == "广东"
    response = client.post(url, {
        "type": "distribution", "start_date": form.initial["start_date"].isoformat(),
        "end_date": form.initial["end_date"].isoformat(), "territory": "广东", "product_lines": "A,B,C",
    })
    new = Contract.objects.get(previous=old)
    assert response["Location"] == reverse("distributors:contract", args=[new.pk])
    old.refresh_from_db()
    assert old.status == Contract.Status.RENEWED
    assert new.status == Contract.Status.ACTIVE
    assert new.product_lines == "A,B,C"
    assert new.start_date == old.end_date + dt.timedelta(days=1)
    # a renewed contract cannot be renewed again
    response = client.get(url)
    assert response.status_code == 302
    assert Contract.objects.filter(distributor=distributor).count() == 2


def test_contract_transitions(client, channel_manager, distributor):
    draft = contract(distributor, status=Contract.Status.DRAFT)
    login(client, channel_manager)
    client.post(reverse("distributors:contract_transition", args=[draft.pk, "activate"]))
    draft.refresh_from_db()
    assert draft.status == Contract.Status.ACTIVE
    client.post(reverse("distributors:contract_transition", args=[draft.pk, "terminate"]))
    draft.refresh_from_db()
    assert draft.status == Contract.Status.TERMINATED
    # an impossible transition is a message, not a crash
    response = client.post(reverse("distributors:contract_transition", args=[draft.pk, "activate"]), follow=True)
    assert any("Cannot change status" in m for m in page_messages(response))
    draft.refresh_from_db()
    assert draft.status == Contract.Status.TERMINATED
    assert client.post(reverse("distributors:contract_transition", args=[draft.pk, "explode"])).status_code == 404
    assert client.get(reverse("distributors:contract_transition", args=[draft.pk, "activate"])).status_code == 405


def test_contract_download_and_scope(client, channel_manager, distributor, other_distributor):
    c = stored_contract(distributor, content=PDF + b"signed")
    other = stored_contract(other_distributor)
    login(client, channel_manager)
    response = client.get(reverse("distributors:contract_file", args=[c.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF + b"signed"
    assert 'filename="signed contract.pdf"' in response["Content-Disposition"]
    assert client.get(reverse("distributors:contract_file", args=[other.pk])).status_code == 404
    assert client.get(reverse("distributors:contract", args=[other.pk])).status_code == 404
    assert client.get(reverse("distributors:contract_renew", args=[other.pk])).status_code == 404


def test_contract_list_filters_and_export(client, channel_manager, distributor, other_distributor):
    soon = contract(distributor, number="HT-SOON", end_date=TODAY + dt.timedelta(days=30))
    contract(distributor, number="HT-LATER", end_date=TODAY + dt.timedelta(days=300))
    contract(distributor, number="HT-EXPIRED", status=Contract.Status.EXPIRED, end_date=TODAY - dt.timedelta(days=1))
    contract(distributor, number="HT-OVERRUN", end_date=TODAY - dt.timedelta(days=2))  # not yet marked expired
    renewal = contract(distributor, number="HT-RENEWAL", previous=soon, status=Contract.Status.DRAFT,
                       annual_target_amount="1000.00")
    contract(other_distributor, number="HT-OTHER", end_date=TODAY + dt.timedelta(days=30))
    login(client, channel_manager)
    url = reverse("distributors:contracts")

    def numbers(response):
        return {c.number for c in response.context["page_obj"]}

    assert numbers(client.get(url, {"quick": "expiring"})) == {"HT-SOON"}
    assert numbers(client.get(url, {"quick": "expired"})) == {"HT-EXPIRED", "HT-OVERRUN"}
    assert numbers(client.get(url, {"status": "draft"})) == {"HT-RENEWAL"}
    assert "HT-OTHER" not in numbers(client.get(url))
    between = {"ends_after": TODAY.isoformat(), "ends_before": (TODAY + dt.timedelta(days=100)).isoformat()}
    assert numbers(client.get(url, between)) == {"HT-SOON", "HT-RENEWAL"}
    sorted_numbers = [c.number for c in client.get(url, {"sort": "number"}).context["page_obj"]]
    assert sorted_numbers == sorted(sorted_numbers)

    response = client.get(url, {"status": "draft", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    header, row = rows
    assert row[header.index("Contract number")] == "HT-RENEWAL"
    assert row[header.index("Renewal of")] == "HT-SOON"
    assert row[header.index("Annual target")] == 1000
    assert renewal.pk


def test_lists_paginate(client, channel_manager, distributor):
    for i in range(23):
        contract(distributor, number=f"HT-P{i:02d}")
    login(client, channel_manager)
    page2 = client.get(reverse("distributors:contracts"), {"page": 2}).context["page_obj"]
    assert page2.number == 2 and len(page2.object_list) == 3


# --- reviews --------------------------------------------------------------------------


@pytest.fixture
def onboarding(channel_manager):
    prospect = DistributorFactory(channel_manager=channel_manager, status=Distributor.Status.PROSPECT)
    services.submit_distributor(distributor_id=prospect.pk)
    return Review.objects.get(distributor=prospect)


def test_review_two_step_approval_through_the_pages(client, channel_manager, admin_user, onboarding):
    url = reverse("distributors:review", args=[onboarding.pk])
    login(client, channel_manager)
    response = client.get(url)
    assert response.context["can_decide"] is True
    response = client.post(url, {"action": "approve", "comment": "资料齐全"})
    assert response["Location"] == url
    onboarding.refresh_from_db()
    assert onboarding.status == Review.Status.PENDING and onboarding.step.position == 2

    # step 2 is the sales director's: the channel manager sees no decision form and cannot decide
    response = client.get(url)
    assert response.context["can_decide"] is False
    assert 'value="approve"' not in response.content.decode()
    response = client.post(url, {"action": "approve"}, follow=True)
    assert any("needs another role" in m for m in page_messages(response))
    onboarding.refresh_from_db()
    assert onboarding.step.position == 2 and onboarding.decisions.count() == 1

    login(client, admin_user)
    client.post(url, {"action": "approve", "comment": "同意"})
    onboarding.refresh_from_db()
    onboarding.distributor.refresh_from_db()
    assert onboarding.status == Review.Status.APPROVED
    assert onboarding.distributor.status == Distributor.Status.ACTIVE
    response = client.get(url)
    assert [d.comment for d in response.context["decisions"]] == ["资料齐全", "同意"]
    assert response.context["can_decide"] is False


def test_reject_review_needs_a_comment(client, channel_manager, onboarding):
    url = reverse("distributors:review", args=[onboarding.pk])
    login(client, channel_manager)
    response = client.post(url, {"action": "reject", "comment": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["comment"]
    onboarding.refresh_from_db()
    assert onboarding.status == Review.Status.PENDING
    client.post(url, {"action": "reject", "comment": "执照模糊"})
    onboarding.refresh_from_db()
    assert onboarding.status == Review.Status.REJECTED
    assert Distributor.objects.get(pk=onboarding.distributor_id).status == Distributor.Status.PROSPECT


def test_review_detail_shows_the_qualifications(client, channel_manager, onboarding):
    q = stored_qualification(onboarding.distributor)
    login(client, channel_manager)
    html = client.get(reverse("distributors:review", args=[onboarding.pk])).content.decode()
    assert reverse("distributors:qualification_file", args=[q.pk]) in html
    assert reverse("distributors:qualification_verify", args=[q.pk]) in html


def test_review_list_defaults_to_pending_and_filters(client, channel_manager, distributor, other_distributor):
    overdue = Review.objects.create(distributor=distributor, kind=Review.Kind.PERIODIC,
                                    due_date=TODAY - dt.timedelta(days=1))
    done = Review.objects.create(distributor=distributor, kind=Review.Kind.ONBOARDING, status=Review.Status.APPROVED)
    Review.objects.create(distributor=other_distributor, kind=Review.Kind.PERIODIC)
    login(client, channel_manager)
    url = reverse("distributors:reviews")
    response = client.get(url)
    assert [r.pk for r in response.context["page_obj"]] == [overdue.pk]
    assert "Overdue" in response.content.decode()
    assert [r.pk for r in client.get(url, {"status": ""}).context["page_obj"]] == [overdue.pk, done.pk]
    assert [r.pk for r in client.get(url, {"status": "approved"}).context["page_obj"]] == [done.pk]
    assert [r.pk for r in client.get(url, {"overdue": "true"}).context["page_obj"]] == [overdue.pk]
    export = client.get(url, {"export": "xlsx"})
    assert len(list(load_workbook(BytesIO(export.content)).active.iter_rows())) == 2


def test_review_of_another_managers_distributor_is_404(client, channel_manager, other_distributor):
    review = Review.objects.create(distributor=other_distributor, kind=Review.Kind.PERIODIC)
    login(client, channel_manager)
    url = reverse("distributors:review", args=[review.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


@pytest.mark.django_db
def test_review_list_searches_by_distributor(client, admin_user):
    a = DistributorFactory(status="prospect", name="搜索目标商贸")
    b = DistributorFactory(status="prospect", name="其他商行")
    for d in (a, b):
        services.submit_distributor(distributor_id=d.pk)
    client.force_login(admin_user)
    page = client.get("/backoffice/distributors/reviews/", {"search": "搜索目标"}).content.decode()
    assert "搜索目标商贸" in page and "其他商行" not in page
