import pytest
from django.utils import translation

from dms.core.testing.factories import portal_user

from .factories import make_ticket


@pytest.fixture
def dist_staff(distributor):
    return portal_user(distributor, "distributor_staff", username="d1staff")


@pytest.fixture
def ticket(distributor, dist_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_ticket(distributor, dist_admin)


@pytest.fixture(autouse=True)
def _english():
    """Assertions name the English source strings; the suite runs in zh-hans."""
    with translation.override("en"):
        yield
