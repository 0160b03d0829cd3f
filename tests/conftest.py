import pytest

from tests import factories


@pytest.fixture
def shanghai():
    return factories.jurisdiction()


@pytest.fixture
def office(shanghai):
    return factories.office_user(shanghai, username="office")


@pytest.fixture
def kewei(shanghai):
    return factories.unit("上海市科学技术委员会", shanghai, organ_code="沪科")


@pytest.fixture
def clerk(kewei):
    return factories.member(kewei, "clerk", username="clerk", name="王大宽")


@pytest.fixture
def leader(kewei):
    return factories.member(kewei, "leader", username="leader", name="分管主任")
