import pytest
from django.test import Client

from tests import factories


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(office)` skips the login page, so it skips the second factor too:
    a user who has an authenticator, or must have one (and then gets one), is given a session
    that has passed it. Production code is untouched; tests/config/test_two_factor.py runs
    the real flow."""
    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from workflow.roles import must_use_second_factor

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None and must_use_second_factor(user):
            device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def admin_user(db):
    """pytest-django's superuser, with a password the policy accepts (the user manager checks
    every password; pytest-django's own is "password")."""
    return factories.user("admin", name="系统管理员", is_superuser=True, is_staff=True)


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


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected as production collects them, once per test run, for the tests
    that start gunicorn on the production settings (compressing them takes most of a minute
    on two cores; the servers only read them)."""
    from tests.services import collect_static

    return collect_static(tmp_path_factory.mktemp("collected") / "static")
