import pytest
from django_scopes import scopes_disabled

from dms.core.testing.factories import DistributorFactory, UserFactory, portal_user


@pytest.fixture(autouse=True)
def _unscoped_test_code(request):
    """Test code itself may read any row; requests made through the test client still
    run inside the scope the middleware chooses."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin1", roles=["admin"])


@pytest.fixture
def make_staff(db):
    def make(role, **kwargs):
        return UserFactory(roles=[role], **kwargs)

    return make


@pytest.fixture
def channel_manager(make_staff):
    return make_staff("channel_manager", username="cm1")


@pytest.fixture
def distributor(channel_manager):
    return DistributorFactory(channel_manager=channel_manager)


@pytest.fixture
def other_distributor(make_staff):
    return DistributorFactory(channel_manager=make_staff("channel_manager", username="cm2"))


@pytest.fixture
def dist_admin(distributor):
    return portal_user(distributor, "distributor_admin", username="d1admin")


@pytest.fixture
def other_dist_admin(other_distributor):
    return portal_user(other_distributor, "distributor_admin", username="d2admin")
