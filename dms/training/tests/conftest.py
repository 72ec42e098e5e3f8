import pytest

from dms.core.testing.factories import portal_user

from .factories import course_with_quiz


@pytest.fixture
def course(db):
    return course_with_quiz()


@pytest.fixture
def learner(distributor):
    return portal_user(distributor, "distributor_staff", username="learner", first_name="小明", last_name="王")
