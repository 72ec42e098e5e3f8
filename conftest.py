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


def _ensure_reference_data():
    """A transactional test flushes the tables, including what the data migrations
    created (tiers, roles, review steps, reminder rules): put it back."""
    from importlib import import_module

    from django.apps import apps

    from dms.accounts.roles import sync_roles
    from dms.distributors.models import Tier

    if Tier.objects.exists():
        return
    import_module("dms.distributors.migrations.0002_tier_reviewstep_defaults").seed(apps, None)
    import_module("dms.notifications.migrations.0002_reminderrule_defaults").seed(apps, None)
    import_module("dms.orders.migrations.0002_approvalstep_defaults").seed(apps, None)
    sync_roles()


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        request.getfixturevalue("transactional_db")
        _ensure_reference_data()
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and other cached state never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
