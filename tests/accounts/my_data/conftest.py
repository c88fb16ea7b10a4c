"""People for the "My data" tests: a member of staff of a department, besides the shared citizens."""

import pytest

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import StaffRole, User
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
