"""People for the "My data" tests: a member of staff of a department, besides the shared citizens."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.accounts.sessions.reauth import SESSION_KEY
from tests.factories import DepartmentFactory


@pytest.fixture
def health_department(db):
    return DepartmentFactory(slug="health", name_ar="وزارة الصحة", name_en="Ministry of Health")


@pytest.fixture
def officer_of_health(health_department):
    user = User.objects.create_user(
        username="officer-health", password="a staff passphrase 42", full_name="Huda Kareem", is_staff=True
    )
    StaffRole.objects.create(user=user, role=StaffRoleKind.CASE_OFFICER, department=health_department)
    return user


def url(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name)


def sign_in_url() -> str:
    return url("accounts:sign_in")


def reauthenticate_url() -> str:
    return url("accounts:reauthenticate")


def confirm_it_is_them(client: Client) -> None:
    """What the "confirm it is you" page leaves behind after the right password."""
    session = client.session
    session[SESSION_KEY] = int(timezone.now().timestamp())
    session.save()


@pytest.fixture
def citizen_client(citizen) -> Client:
    """The citizen, signed in and just re-authenticated."""
    client = Client()
    client.force_login(citizen)
    confirm_it_is_them(client)
    return client


@pytest.fixture
def other_client(other_citizen) -> Client:
    client = Client()
    client.force_login(other_citizen)
    confirm_it_is_them(client)
    return client


@pytest.fixture
def stale_citizen_client(citizen) -> Client:
    """The citizen, signed in long enough ago that a sensitive page asks for the password again."""
    client = Client()
    client.force_login(citizen)
    session = client.session
    session.pop(SESSION_KEY, None)
    session.save()
    return client
