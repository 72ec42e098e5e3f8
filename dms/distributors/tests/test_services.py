import datetime as dt
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dms.accounts.models import ApiToken
from dms.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import ContractFactory, DistributorFactory, QualificationFactory, make_credit_code, tier
from dms.distributors import services
from dms.distributors.models import Contract, Distributor, Review

S = Distributor.Status
ALL = list(S)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ACTIONS = {
    S.PENDING_REVIEW: lambda d, u: services.submit_distributor(distributor_id=d.pk, actor=u),
    S.SUSPENDED: lambda d, u: services.suspend_distributor(distributor_id=d.pk, reason="overdue", actor=u),
    S.ACTIVE: lambda d, u: services.reactivate_distributor(distributor_id=d.pk, actor=u),
    S.TERMINATED: lambda d, u: services.terminate_distributor(distributor_id=d.pk, reason="ended", actor=u),
}


@pytest.mark.django_db
def test_create_distributor_generates_code_and_starts_as_prospect(channel_manager):
    d = services.create_distributor(
        name="华南优选", credit_code=make_credit_code(1).lower(), tier=1, region_code="440305",
        channel_manager=channel_manager, tags=["电商", "重点"],
        contacts=[{"name": "王伟", "phone": "13800138000", "email": "w@example.com"}],
    )
    assert d.status == S.PROSPECT
    assert d.code.startswith("D") and len(d.code) == 6
    assert d.credit_code == make_credit_code(1)  # normalised to upper case
    assert d.primary_contact.name == "王伟"
    assert sorted(t.name for t in d.tags.all()) == ["电商", "重点"]
    d2 = services.create_distributor(name="Other", credit_code=make_credit_code(2), tier=1)
    assert d2.code != d.code


@pytest.mark.django_db
def test_invalid_credit_code_is_refused_and_nothing_is_created():
    bad = make_credit_code(3)[:-1] + ("0" if make_credit_code(3)[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as err:
        services.create_distributor(name="X", credit_code=bad, tier=1)
    assert "credit_code" in err.value.fields
    assert Distributor.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_credit_code_is_refused():
    services.create_distributor(name="A", credit_code=make_credit_code(4), tier=1)
    with pytest.raises(ValidationFailed) as err:
        services.create_distributor(name="B", credit_code=make_credit_code(4), tier=1)
    assert "credit_code" in err.value.fields


@pytest.mark.django_db
def test_second_tier_needs_a_higher_tier_parent():
    with pytest.raises(ValidationFailed) as err:
        services.create_distributor(name="B", credit_code=make_credit_code(5), tier=2)
    assert "parent" in err.value.fields
    peer = DistributorFactory(tier=tier(2), parent=DistributorFactory())
    with pytest.raises(ValidationFailed):
        services.create_distributor(name="C", credit_code=make_credit_code(6), tier=2, parent=peer)
    parent = DistributorFactory()
    child = services.create_distributor(name="D", credit_code=make_credit_code(7), tier=2, parent=parent)
    assert child.parent == parent


@pytest.mark.django_db
@pytest.mark.parametrize("source, target", list(itertools.product(ALL, [S.PENDING_REVIEW, S.SUSPENDED, S.ACTIVE,
                                                                         S.TERMINATED])))
def test_every_lifecycle_transition(source, target, admin_user):
    d = DistributorFactory(status=source)
    allowed = target in Distributor.TRANSITIONS[source] or source == target
    if target == S.ACTIVE and source == S.PENDING_REVIEW:
        allowed = False  # activation happens only through an approved review
    if allowed:
        ACTIONS[target](d, admin_user)
        d.refresh_from_db()
        assert d.status == target
    else:
        with pytest.raises(InvalidTransition):
            ACTIONS[target](d, admin_user)
        d.refresh_from_db()
        assert d.status == source


@pytest.mark.django_db
def test_suspend_needs_a_reason_and_revokes_tokens(dist_admin, admin_user):
    ApiToken.issue(dist_admin)
    with pytest.raises(ValidationFailed):
        services.suspend_distributor(distributor_id=dist_admin.distributor_id, reason=" ", actor=admin_user)
    services.suspend_distributor(distributor_id=dist_admin.distributor_id, reason="unpaid", actor=admin_user)
    assert not ApiToken.objects.filter(user=dist_admin).exists()
    d = Distributor.objects.get(pk=dist_admin.distributor_id)
    assert d.status_reason == "unpaid" and d.status_changed_at is not None


@pytest.mark.django_db
def test_terminate_ends_open_contracts(distributor, admin_user):
    today = timezone.localdate()
    c = ContractFactory(distributor=distributor, start_date=today, end_date=today + dt.timedelta(days=100))
    services.terminate_distributor(distributor_id=distributor.pk, reason="ended", actor=admin_user)
    c.refresh_from_db()
    assert c.status == Contract.Status.TERMINATED


@pytest.mark.django_db
def test_onboarding_review_two_steps_activates_and_creates_first_user(channel_manager, admin_user,
                                                                      django_capture_on_commit_callbacks):
    d = services.create_distributor(
        name="新商", credit_code=make_credit_code(8), tier=1, channel_manager=channel_manager,
        contacts=[{"name": "李娜", "email": "lina@example.com"}],
    )
    services.submit_distributor(distributor_id=d.pk, actor=channel_manager)
    review = Review.objects.get(distributor=d, status=Review.Status.PENDING)
    assert review.step.position == 1
    services.approve_review(review_id=review.pk, actor=channel_manager, comment="ok")
    review.refresh_from_db()
    assert review.step.position == 2 and review.status == Review.Status.PENDING
    with pytest.raises(NotAllowed):  # the final step needs the sales director's permission
        services.approve_review(review_id=review.pk, actor=channel_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_review(review_id=review.pk, actor=admin_user, comment="同意")
    d.refresh_from_db()
    assert d.status == S.ACTIVE
    assert d.next_review_date == timezone.localdate() + relativedelta(months=12)
    user = d.users.get()
    assert user.role_names == {"distributor_admin"} and not user.has_usable_password()
    assert any("lina@example.com" in m.to for m in mail.outbox)  # link to set a password
    assert [x.decision for x in review.decisions.all()] == ["approved", "approved"]
    with pytest.raises(Conflict):
        services.approve_review(review_id=review.pk, actor=admin_user)


@pytest.mark.django_db
def test_rejected_onboarding_returns_to_prospect_with_comment(channel_manager):
    d = DistributorFactory(status=S.PROSPECT, channel_manager=channel_manager)
    services.submit_distributor(distributor_id=d.pk)
    review = d.reviews.get()
    with pytest.raises(ValidationFailed):
        services.reject_review(review_id=review.pk, actor=channel_manager, comment="")
    services.reject_review(review_id=review.pk, actor=channel_manager, comment="执照模糊")
    d.refresh_from_db()
    assert d.status == S.PROSPECT and d.status_reason == "执照模糊"


@pytest.mark.django_db
def test_periodic_reviews_fall_due_once(distributor):
    today = timezone.localdate()
    distributor.next_review_date = today
    distributor.save()
    assert services.open_due_reviews(today) == 1
    assert services.open_due_reviews(today) == 0
    review = distributor.reviews.get(kind=Review.Kind.PERIODIC)
    assert review.due_date == today + dt.timedelta(days=30)
    assert not review.is_overdue
    review.due_date = today - dt.timedelta(days=1)
    assert review.is_overdue


@pytest.mark.django_db
def test_expired_qualification_flags_distributor_until_renewed(distributor, admin_user):
    today = timezone.localdate()
    old = QualificationFactory(distributor=distributor, valid_to=today - dt.timedelta(days=1))
    assert services.flag_expired_qualifications(today) == 1
    distributor.refresh_from_db()
    assert distributor.qualification_flag
    new = services.add_qualification(
        distributor_id=distributor.pk, type=old.type, number="N2", valid_to=today + dt.timedelta(days=365),
        replaces=old, file=SimpleUploadedFile("x.pdf", PDF),
    )
    assert new.verification_status == "pending"
    services.verify_qualification(qualification_id=new.pk, actor=admin_user, approve=True)
    distributor.refresh_from_db()
    assert not distributor.qualification_flag


@pytest.mark.django_db
def test_contract_renewal_links_and_expiry(distributor):
    today = timezone.localdate()
    c = services.create_contract(distributor_id=distributor.pk, start_date=today - dt.timedelta(days=300),
                                 end_date=today + dt.timedelta(days=10), activate=True)
    assert c.number.startswith("HT") and c.status == Contract.Status.ACTIVE
    new = services.renew_contract(contract_id=c.pk)
    c.refresh_from_db()
    assert c.status == Contract.Status.RENEWED and new.previous == c
    assert new.start_date == c.end_date + dt.timedelta(days=1) and new.status == Contract.Status.ACTIVE
    with pytest.raises(InvalidTransition):
        services.renew_contract(contract_id=c.pk)
    ended = services.create_contract(distributor_id=distributor.pk, start_date=today - dt.timedelta(days=30),
                                     end_date=today + dt.timedelta(days=1), activate=True)
    assert services.expire_contracts(today + dt.timedelta(days=2)) == 1
    ended.refresh_from_db()
    assert ended.status == Contract.Status.EXPIRED
    assert services.expire_contracts(today + dt.timedelta(days=2)) == 0


@pytest.mark.django_db
def test_contract_dates_must_be_ordered(distributor):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as err:
        services.create_contract(distributor_id=distributor.pk, start_date=today, end_date=today - dt.timedelta(days=1))
    assert "end_date" in err.value.fields


@pytest.mark.django_db
def test_only_one_primary_contact(distributor):
    a = services.add_contact(distributor_id=distributor.pk, name="A")
    assert a.is_primary  # the first contact is primary
    b = services.add_contact(distributor_id=distributor.pk, name="B", is_primary=True)
    a.refresh_from_db()
    assert b.is_primary and not a.is_primary
    with pytest.raises(Conflict):
        services.delete_contact(contact_id=b.pk)
    with pytest.raises(ValidationFailed) as err:
        services.add_contact(distributor_id=distributor.pk, name="C", phone="12345", email="not-an-email")
    assert set(err.value.fields) == {"phone", "email"}


@pytest.mark.django_db
def test_registration_creates_pending_review_applicant():
    d = services.register_applicant(
        name="申请人公司", credit_code=make_credit_code(9), region_code="110105",
        contact={"name": "赵敏", "phone": "13912345678", "email": "zm@example.com"},
        licence={"number": "L-1", "valid_to": timezone.localdate() + dt.timedelta(days=300)},
        licence_file=SimpleUploadedFile("licence.pdf", PDF),
    )
    assert d.status == S.PENDING_REVIEW
    assert d.reviews.get().kind == Review.Kind.ONBOARDING
    assert d.qualifications.get().verification_status == "pending"
    with pytest.raises(ValidationFailed) as err:
        services.register_applicant(name="X", credit_code=make_credit_code(10), contact={"name": "a"},
                                    parent_code="NOPE")
    assert "parent_code" in err.value.fields


@pytest.mark.django_db
def test_duplicate_contract_number_in_another_scope_is_a_field_error(distributor, other_distributor, channel_manager):
    from dms.core.scoping import user_scope

    services.create_contract(distributor_id=other_distributor.pk, number="HT-DUP", start_date=dt.date(2026, 1, 1),
                             end_date=dt.date(2026, 12, 31))
    with user_scope(channel_manager), pytest.raises(ValidationFailed) as err:
        services.create_contract(distributor_id=distributor.pk, number="HT-DUP", start_date=dt.date(2026, 1, 1),
                                 end_date=dt.date(2026, 12, 31))
    assert "number" in err.value.fields


@pytest.mark.django_db
def test_duplicate_credit_code_outside_the_managers_scope_is_a_field_error(distributor, other_distributor,
                                                                           channel_manager):
    from dms.core.scoping import user_scope

    with user_scope(channel_manager):
        with pytest.raises(ValidationFailed) as err:
            services.create_distributor(name="Dup", credit_code=other_distributor.credit_code, tier=1,
                                        channel_manager=channel_manager)
        assert "credit_code" in err.value.fields
        with pytest.raises(ValidationFailed) as err:
            services.update_distributor(distributor_id=distributor.pk, credit_code=other_distributor.credit_code)
        assert "credit_code" in err.value.fields
