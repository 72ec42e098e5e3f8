import pytest
from django_scopes import ScopeError, scope

from dms.core.scoping import distributor_scope, user_scope
from dms.core.testing.factories import ContractFactory, UserFactory
from dms.distributors.models import Contact, Contract, Distributor, Qualification, Review


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Distributor, Contact, Qualification, Review, Contract])
def test_a_query_on_a_tenant_model_without_a_scope_raises(model):
    with scope(), pytest.raises(ScopeError):
        list(model.objects.all())


@pytest.mark.django_db
def test_scopes_per_role(distributor, other_distributor, dist_admin, channel_manager, make_staff):
    ContractFactory(distributor=distributor, start_date="2026-01-01", end_date="2026-12-31")
    ContractFactory(distributor=other_distributor, start_date="2026-01-01", end_date="2026-12-31")
    finance = make_staff("finance")
    nobody = UserFactory()
    cases = [
        (dist_admin, {distributor.pk}),
        (channel_manager, {distributor.pk}),
        (finance, {distributor.pk, other_distributor.pk}),
        (nobody, set()),
    ]
    for user, expected in cases:
        with user_scope(user):
            assert set(Distributor.objects.values_list("pk", flat=True)) == expected
            assert set(Contract.objects.values_list("distributor_id", flat=True)) == expected


@pytest.mark.django_db
def test_superuser_sees_all(distributor, other_distributor):
    root = UserFactory(is_superuser=True)
    assert distributor_scope(root) is None
    assert distributor_scope(None) == []


@pytest.mark.django_db
def test_a_distributor_assigned_during_the_request_is_in_the_managers_scope(channel_manager, other_distributor):
    with user_scope(channel_manager):
        assert not Distributor.objects.filter(pk=other_distributor.pk).exists()
        with scope(distributor=None, manager=None):
            Distributor.objects.filter(pk=other_distributor.pk).update(channel_manager=channel_manager)
        assert Distributor.objects.filter(pk=other_distributor.pk).exists()
        assert Contract.objects.filter(distributor=other_distributor).count() == 0
