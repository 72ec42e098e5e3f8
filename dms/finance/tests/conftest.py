import pytest

from .factories import finance_user


@pytest.fixture
def fin(db):
    return finance_user()
