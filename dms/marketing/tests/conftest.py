import pytest

from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user, tier


@pytest.fixture
def dist_staff(distributor):
    return portal_user(distributor, "distributor_staff", username="d1staff")


@pytest.fixture
def ops(make_staff):
    return make_staff("sales_ops", username="ops1")


@pytest.fixture
def second_tier_distributor(make_staff):
    return DistributorFactory(tier=tier(2), channel_manager=make_staff("channel_manager", username="cm3"))


@pytest.fixture
def second_tier_user(second_tier_distributor):
    return portal_user(second_tier_distributor, "distributor_admin", username="t2admin")


@pytest.fixture
def admin(db):
    return UserFactory(username="mk_admin", roles=["admin"])


@pytest.fixture(autouse=True)
def _action_tags(db):
    """The migration's action tags (a transactional test run earlier may have flushed them)."""
    from dms.marketing.services import ensure_default_action_tags

    ensure_default_action_tags()
