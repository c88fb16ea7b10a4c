"""bawaba.accounts.staff.selectors: who holds which role where, as every other app asks it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.accounts.staff import selectors
from tests.factories import DepartmentFactory, make_staff_member

CASE = StaffRoleKind.CASE_OFFICER


def fresh(user: User) -> User:
    """The same person in a new request: answers are remembered on the user object for one request."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def branch(passports):
    return DepartmentFactory(slug="passports-basra", parent=passports)


def test_a_ministry_role_reaches_every_directorate_under_it(case_officer, interior, passports, branch, health):
    assert selectors.department_ids_for(case_officer, roles=[CASE]) == {interior.pk, passports.pk, branch.pk}
    assert selectors.has_role(case_officer, CASE, branch)
    assert selectors.has_role(case_officer, CASE, passports.pk)
    assert not selectors.has_role(case_officer, CASE, health)


def test_a_directorate_role_does_not_reach_the_ministry_above(passports, interior, branch):
    officer = make_staff_member("officer.passports", roles=[(CASE, passports)])
    assert selectors.department_ids_for(officer, roles=[CASE]) == {passports.pk, branch.pk}
    assert not selectors.has_role(officer, CASE, interior)


def test_only_the_roles_asked_for_count(case_officer, interior):
    assert selectors.department_ids_for(case_officer, roles=[StaffRoleKind.CONTENT_EDITOR]) == frozenset()
    assert selectors.has_role(case_officer, CASE)
    assert not selectors.has_role(case_officer, StaffRoleKind.SUPERVISOR)
    assert not selectors.has_role(case_officer, StaffRoleKind.SUPERVISOR, interior)


def test_national_roles_mean_every_department_but_only_when_asked_for(operator, national_admin, health):
    roles = [StaffRoleKind.CONTENT_EDITOR, StaffRoleKind.OPERATOR]
    assert selectors.department_ids_for(operator, roles=roles) is None
    assert selectors.department_ids_for(operator, roles=[StaffRoleKind.CONTENT_EDITOR]) == frozenset()
    assert selectors.department_ids_for(national_admin, roles=roles) == frozenset()
    assert selectors.has_role(national_admin, StaffRoleKind.NATIONAL_ADMIN, health)
    assert not selectors.has_role(national_admin, StaffRoleKind.OPERATOR)
    # A department role is not implied by a national one.
    assert not selectors.has_role(operator, StaffRoleKind.CONTENT_EDITOR, health)


def test_superusers_hold_every_role_everywhere(superuser, health):
    assert selectors.department_ids_for(superuser, roles=[CASE]) is None
    assert all(selectors.has_role(superuser, role, health) for role in StaffRoleKind.values)


@pytest.mark.parametrize("change", ["inactive", "not_staff", "deleted"])
def test_roles_count_only_for_active_undeleted_staff(case_officer, interior, change):
    if change == "inactive":
        case_officer.is_active = False
    elif change == "not_staff":
        case_officer.is_staff = False
    else:
        case_officer.deleted_at = timezone.now()
    case_officer.save()
    person = fresh(case_officer)
    assert StaffRole.objects.filter(user=person).exists()
    assert not selectors.is_staff_member(person)
    assert selectors.department_ids_for(person, roles=[CASE]) == frozenset()
    assert not selectors.has_role(person, CASE, interior)


def test_citizens_and_visitors_hold_nothing(citizen, interior):
    StaffRole.objects.create(user=citizen, role=StaffRoleKind.OPERATOR)  # a stray row, never granted
    for person in (citizen, AnonymousUser()):
        assert not selectors.is_staff_member(person)
        assert selectors.department_ids_for(person, roles=[StaffRoleKind.OPERATOR]) == frozenset()
        assert not selectors.has_role(person, StaffRoleKind.OPERATOR)
        assert not selectors.may_see_citizens(person)
        assert not selectors.may_verify_in_person(person)
        assert not selectors.may_manage_roles(person)


def test_answers_are_remembered_for_the_request(case_officer, interior, health, django_assert_num_queries):
    selectors.department_ids_for(case_officer, roles=[CASE])
    with django_assert_num_queries(0):
        assert selectors.department_ids_for(case_officer, roles=[CASE]) == selectors.department_ids_for(
            case_officer, roles=[CASE]
        )
        assert selectors.has_role(case_officer, CASE, interior)
    StaffRole.objects.create(user=case_officer, role=CASE, department=health)
    assert not selectors.has_role(case_officer, CASE, health)  # this request still sees the old roles
    assert selectors.has_role(fresh(case_officer), CASE, health)


def test_who_may_change_which_role(department_admin, national_admin, colleague, interior, passports, health):
    may = selectors.may_change_role
    assert may(department_admin, holder=colleague, role=CASE, department=interior)
    assert may(department_admin, holder=colleague, role=CASE, department=passports)
    assert not may(department_admin, holder=colleague, role=CASE, department=health)
    assert not may(department_admin, holder=colleague, role=StaffRoleKind.DEPARTMENT_ADMIN, department=interior)
    assert not may(department_admin, holder=colleague, role=StaffRoleKind.OPERATOR, department=None)
    assert not may(department_admin, holder=department_admin, role=CASE, department=interior)
    assert may(national_admin, holder=colleague, role=StaffRoleKind.NATIONAL_ADMIN, department=None)
    assert may(national_admin, holder=colleague, role=StaffRoleKind.DEPARTMENT_ADMIN, department=health)
    assert not may(national_admin, holder=national_admin, role=StaffRoleKind.OPERATOR, department=None)


def test_what_each_administrator_sees(department_admin, national_admin, case_officer, colleague, health, citizen):
    health_officer = make_staff_member("officer.health", roles=[(CASE, health)])
    interior_role = StaffRole.objects.get(user=case_officer)
    assert list(selectors.staff_roles_visible_to(department_admin).exclude(user=department_admin)) == [interior_role]
    assert StaffRole.objects.get(user=health_officer) in selectors.staff_roles_visible_to(national_admin)
    assert citizen not in selectors.staff_users_visible_to(department_admin)
    assert colleague in selectors.staff_users_visible_to(department_admin)
    assert citizen in selectors.staff_users_visible_to(national_admin)
    assert list(selectors.staff_users_visible_to(case_officer)) == []
