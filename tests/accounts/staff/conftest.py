"""People for the staff tests: one member of staff per role, in a ministry with a directorate, and another
ministry. Each has a second factor attached, so `signed_in(person)` opens a staff session as the staff
sign-in does; tests of the sign-in itself go through its pages instead."""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import User
from tests.factories import DepartmentFactory, make_staff_member

STAFF_PASSWORD = "olive trees along the Tigris"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits live in the cache; every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def own_cache(settings):
    """A cache of this test's own, for tests that count attempts. With Redis and several test workers,
    the workers share one Redis database: others' tests flush it and count the same ids (each worker's
    database numbers its users from 1), which would make a count here wrong. Only the count's store
    changes; the rules are the same."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"staff-{uuid.uuid4()}"}
    }


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def totp_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def interior(db):
    return DepartmentFactory(slug="interior", name_en="Ministry of Interior")


@pytest.fixture
def passports(interior):
    """A directorate under the Ministry of Interior: it inherits the ministry's roles."""
    return DepartmentFactory(slug="passports", name_en="Passports Directorate", parent=interior)


@pytest.fixture
def health(db):
    return DepartmentFactory(slug="health", name_en="Ministry of Health")


@pytest.fixture
def national_admin(db):
    return make_staff_member("national.admin", roles=[(StaffRoleKind.NATIONAL_ADMIN, None)], full_name="Layla National")


@pytest.fixture
def operator(db):
    return make_staff_member("operator", roles=[(StaffRoleKind.OPERATOR, None)], full_name="Omar Operator")


@pytest.fixture
def superuser(db):
    return make_staff_member("root", superuser=True, full_name="Root")


@pytest.fixture
def department_admin(interior):
    return make_staff_member(
        "admin.interior", roles=[(StaffRoleKind.DEPARTMENT_ADMIN, interior)], full_name="Dalia Interior"
    )


@pytest.fixture
def other_department_admin(health):
    return make_staff_member("admin.health", roles=[(StaffRoleKind.DEPARTMENT_ADMIN, health)])


@pytest.fixture
def content_editor(interior):
    return make_staff_member("editor.interior", roles=[(StaffRoleKind.CONTENT_EDITOR, interior)])


@pytest.fixture
def case_officer(interior):
    return make_staff_member(
        "officer.interior", roles=[(StaffRoleKind.CASE_OFFICER, interior)], full_name="Karim Officer"
    )


@pytest.fixture
def supervisor(interior):
    return make_staff_member("supervisor.interior", roles=[(StaffRoleKind.SUPERVISOR, interior)])


@pytest.fixture
def analyst(interior):
    return make_staff_member("analyst.interior", roles=[(StaffRoleKind.ANALYST, interior)])


@pytest.fixture
def plain_staff(db):
    """Staff with no role at all."""
    return make_staff_member("clerk")


@pytest.fixture
def colleague(interior):
    """Staff with no role yet, whom administrators give roles in the tests."""
    return make_staff_member("new.colleague", full_name="Nadia Colleague")


class StaffAccount:
    def __init__(self, user: User, device: TOTPDevice, recovery_codes: list[str]) -> None:
        self.user, self.device, self.recovery_codes = user, device, recovery_codes


@pytest.fixture
def sara(db):
    """A staff member who signs in through the pages: a password, an authenticator app and recovery codes."""
    from bawaba.accounts.second_factor.services import recovery_codes_create

    user = User.objects.create_user(username="sara.ahmed", password=STAFF_PASSWORD, is_staff=True, full_name="Sara")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return StaffAccount(user, device, recovery_codes_create(user=user))
