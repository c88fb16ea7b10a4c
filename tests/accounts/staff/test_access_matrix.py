"""Every staff role tries every guarded action through HTTP, with the result the rules say.

A department's roles reach its directorates; a department admin manages roles only in their own
department; only national admins grant national roles; citizens' accounts are seen by national admins
and operators; numbers are verified in person by case officers and operators; the catalogue is
edited by content editors (their department) and operators (all). A refusal changes nothing.
"""

import pytest
from django.test import Client

from bawaba.accounts.constants import StaffRoleKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import PersonalDataAccess, PhoneVerification, StaffRole, User
from tests.accounts.staff.conftest import url
from tests.catalog.test_admin_helpers import admin_url, service_form
from tests.factories import OfficeFactory, ServiceFactory, make_staff_member

PEOPLE = (
    "anonymous",
    "citizen",
    "no_role",
    "content_editor",
    "case_officer",
    "supervisor",
    "department_admin",
    "data_publisher",
    "analyst",
    "operator",
    "national_admin",
    "superuser",
)
ACTIONS = (
    "manage_roles_own_department",
    "manage_roles_directorate",
    "manage_roles_other_department",
    "grant_national_role",
    "grant_department_admin",
    "see_citizens",
    "verify_in_person",
    "edit_catalogue_own_department",
    "edit_catalogue_other_department",
)
ALLOWED = {
    "manage_roles_own_department": {"department_admin", "national_admin", "superuser"},
    "manage_roles_directorate": {"department_admin", "national_admin", "superuser"},
    "manage_roles_other_department": {"national_admin", "superuser"},
    "grant_national_role": {"national_admin", "superuser"},
    "grant_department_admin": {"national_admin", "superuser"},
    "see_citizens": {"operator", "national_admin", "superuser"},
    "verify_in_person": {"case_officer", "operator", "superuser"},
    "edit_catalogue_own_department": {"content_editor", "operator", "superuser"},
    "edit_catalogue_other_department": {"operator", "superuser"},
}
DEPARTMENT_ROLES = {
    "content_editor": StaffRoleKind.CONTENT_EDITOR,
    "case_officer": StaffRoleKind.CASE_OFFICER,
    "supervisor": StaffRoleKind.SUPERVISOR,
    "department_admin": StaffRoleKind.DEPARTMENT_ADMIN,
    "data_publisher": StaffRoleKind.DATA_PUBLISHER,
    "analyst": StaffRoleKind.ANALYST,
}
NATIONAL = {"operator": StaffRoleKind.OPERATOR, "national_admin": StaffRoleKind.NATIONAL_ADMIN}
PENDING_NUMBER = "+9647731112233"


@pytest.fixture
def person(request, interior, citizen):
    """The one trying (None: anonymous), signed in the way people of that kind are."""
    kind = request.param
    if kind == "anonymous":
        return kind, Client()
    if kind == "citizen":
        client = Client()
        client.force_login(citizen)
        return kind, client
    if kind in DEPARTMENT_ROLES:
        user = make_staff_member(f"staff.{kind}", roles=[(DEPARTMENT_ROLES[kind], interior)])
    elif kind in NATIONAL:
        user = make_staff_member(f"staff.{kind}", roles=[(NATIONAL[kind], None)])
    else:
        user = make_staff_member(f"staff.{kind}", superuser=kind == "superuser")
    client = Client()
    client.force_login(user)
    return kind, client


def _grant(client: Client, holder: User, role: str, department) -> bool:
    """Try to grant `role` through the admin; whether the role now exists."""
    client.post(
        admin_url("accounts_staffrole_add"),
        {"user": holder.pk, "role": role, "department": department.pk if department else ""},
    )
    return StaffRole.objects.filter(user=holder, role=role, department=department).exists()


@pytest.mark.parametrize("person", PEOPLE, indirect=True)
@pytest.mark.parametrize("action", ACTIONS)
def test_access(person, action, interior, passports, health, colleague, citizen):
    kind, client = person
    expected = kind in ALLOWED[action]
    roles_before = StaffRole.objects.filter(user=colleague).count()

    if action == "manage_roles_own_department":
        done = _grant(client, colleague, StaffRoleKind.CASE_OFFICER, interior)
    elif action == "manage_roles_directorate":
        done = _grant(client, colleague, StaffRoleKind.CONTENT_EDITOR, passports)
    elif action == "manage_roles_other_department":
        done = _grant(client, colleague, StaffRoleKind.CASE_OFFICER, health)
    elif action == "grant_national_role":
        done = _grant(client, colleague, StaffRoleKind.OPERATOR, None)
    elif action == "grant_department_admin":
        done = _grant(client, colleague, StaffRoleKind.DEPARTMENT_ADMIN, interior)
    elif action == "see_citizens":
        response = client.get(admin_url("accounts_user_change", citizen.pk))
        done = response.status_code == 200 and citizen.phone in response.content.decode()
        assert PersonalDataAccess.objects.filter(citizen=citizen).count() == (1 if done else 0)
    elif action == "verify_in_person":
        waiting = User.objects.create_user(username="c-waiting", phone=PENDING_NUMBER, full_name="Sama Waiting")
        verification = PhoneVerification.objects.create(
            purpose=VerificationPurpose.SIGNUP,
            phone=PENDING_NUMBER,
            user=waiting,
            subject_key=f"signup:{PENDING_NUMBER}:{waiting.pk}",
        )
        office = OfficeFactory(department=interior, code="karrada-centre")
        client.post(
            url("accounts:staff_verify_in_person"),
            {
                "step": "confirm",
                "phone": "0773 111 2233",
                "document_type": "national_card",
                "document_seen": "on",
                "office": office.pk,
                "full_name": "Sama Waiting",
                "new_password": "dates from the Basra palms",
            },
        )
        waiting.refresh_from_db()
        verification.refresh_from_db()
        done = waiting.phone_verified_at is not None
        assert (verification.status == VerificationStatus.VERIFIED) == done
    else:
        department = interior if action == "edit_catalogue_own_department" else health
        service = ServiceFactory(department=department, name_ar="خدمة قديمة")
        client.post(admin_url("catalog_service_change", service.pk), service_form(service, name_ar="اسم جديد"))
        service.refresh_from_db()
        done = service.name_ar == "اسم جديد"

    assert done == expected
    if not action.startswith(("manage", "grant")) or not expected:
        assert StaffRole.objects.filter(user=colleague).count() == roles_before
