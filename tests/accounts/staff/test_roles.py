"""Granting and revoking roles: the services' rules, their history, and the admin pages that call them."""

import pytest
from reversion.models import Version

from bawaba.accounts.constants import AccountEventKind, StaffRoleKind
from bawaba.accounts.models import AccountEvent, StaffRole
from bawaba.accounts.staff.errors import RoleNotAllowed
from bawaba.accounts.staff.services import staff_role_grant, staff_role_revoke
from bawaba.core.errors import ValidationFailed
from tests.accounts.staff.conftest import signed_in
from tests.catalog.test_admin_helpers import admin_url
from tests.factories import make_staff_member

CASE = StaffRoleKind.CASE_OFFICER


def role_rows() -> list[tuple[int, str, int | None]]:
    return sorted(StaffRole.objects.values_list("user_id", "role", "department_id"))


# The services


def test_a_grant_is_recorded_on_the_holders_history_and_in_a_revision(department_admin, colleague, interior):
    staff_role = staff_role_grant(granted_by=department_admin, user=colleague, role=CASE, department=interior)
    assert (staff_role.granted_by, staff_role.department) == (department_admin, interior)
    event = AccountEvent.objects.get(user=colleague, kind=AccountEventKind.ROLE_GRANTED)
    assert event.actor == department_admin
    assert event.data == {"role": "case_officer", "department": "interior"}
    version = Version.objects.get_for_object(staff_role).get()
    assert version.revision.user == department_admin
    assert version.revision.comment == "Granted case_officer interior"


def test_a_revocation_is_recorded_too(department_admin, case_officer, interior):
    staff_role = StaffRole.objects.get(user=case_officer)
    staff_role_revoke(revoked_by=department_admin, staff_role=staff_role)
    assert not StaffRole.objects.filter(user=case_officer).exists()
    event = AccountEvent.objects.get(user=case_officer, kind=AccountEventKind.ROLE_REVOKED)
    assert (event.actor, event.data) == (department_admin, {"role": "case_officer", "department": "interior"})
    deleted = Version.objects.get_deleted(StaffRole).get()
    assert deleted.field_dict["role"] == "case_officer"
    assert deleted.revision.user == department_admin


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (CASE, "health"),  # another ministry
        (StaffRoleKind.DEPARTMENT_ADMIN, "interior"),  # a peer: national admins only
        (StaffRoleKind.OPERATOR, None),
        (StaffRoleKind.NATIONAL_ADMIN, None),
    ],
)
def test_a_department_admin_may_not(department_admin, colleague, role, where, request):
    department = request.getfixturevalue(where) if where else None
    before = role_rows()
    with pytest.raises(RoleNotAllowed):
        staff_role_grant(granted_by=department_admin, user=colleague, role=role, department=department)
    assert role_rows() == before
    assert not AccountEvent.objects.filter(user=colleague).exists()


def test_nobody_grants_themselves_anything(department_admin, national_admin, superuser, interior):
    before = role_rows()
    with pytest.raises(RoleNotAllowed):
        staff_role_grant(granted_by=department_admin, user=department_admin, role=CASE, department=interior)
    with pytest.raises(RoleNotAllowed):
        staff_role_grant(granted_by=national_admin, user=national_admin, role=StaffRoleKind.OPERATOR)
    with pytest.raises(RoleNotAllowed):
        staff_role_grant(granted_by=superuser, user=superuser, role=StaffRoleKind.OPERATOR)
    with pytest.raises(RoleNotAllowed):
        staff_role_revoke(revoked_by=national_admin, staff_role=StaffRole.objects.get(user=national_admin))
    assert role_rows() == before


def test_roles_that_grant_nothing_cannot_grant(case_officer, operator, content_editor, colleague, interior):
    for granter in (case_officer, operator, content_editor):
        with pytest.raises(RoleNotAllowed):
            staff_role_grant(granted_by=granter, user=colleague, role=CASE, department=interior)
    assert not StaffRole.objects.filter(user=colleague).exists()


def test_roles_are_for_active_staff_only(national_admin, citizen, interior):
    with pytest.raises(ValidationFailed) as refused:
        staff_role_grant(granted_by=national_admin, user=citizen, role=CASE, department=interior)
    assert refused.value.code == "not_staff"
    retired = make_staff_member("retired", verified=False)
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationFailed):
        staff_role_grant(granted_by=national_admin, user=retired, role=CASE, department=interior)


def test_national_roles_have_no_department_and_the_others_one(national_admin, colleague, interior):
    with pytest.raises(ValidationFailed) as refused:
        staff_role_grant(granted_by=national_admin, user=colleague, role=StaffRoleKind.OPERATOR, department=interior)
    assert refused.value.code == "role_department_mismatch"
    with pytest.raises(ValidationFailed):
        staff_role_grant(granted_by=national_admin, user=colleague, role=CASE, department=None)
    with pytest.raises(ValidationFailed) as refused:
        staff_role_grant(granted_by=national_admin, user=colleague, role="emperor", department=None)
    assert refused.value.code == "role_unknown"
    assert not StaffRole.objects.filter(user=colleague).exists()


def test_a_role_held_twice_is_refused(national_admin, case_officer, interior):
    with pytest.raises(ValidationFailed) as refused:
        staff_role_grant(granted_by=national_admin, user=case_officer, role=CASE, department=interior)
    assert refused.value.code == "role_already_held"
    assert StaffRole.objects.filter(user=case_officer).count() == 1


def test_a_department_admin_revokes_only_what_they_could_grant(
    department_admin, other_department_admin, case_officer, health
):
    health_officer = make_staff_member("officer.health", roles=[(CASE, health)])
    for staff_role in (
        StaffRole.objects.get(user=health_officer),
        StaffRole.objects.get(user=other_department_admin),
    ):
        with pytest.raises(RoleNotAllowed):
            staff_role_revoke(revoked_by=department_admin, staff_role=staff_role)
    assert StaffRole.objects.filter(user=health_officer).exists()
    staff_role_revoke(revoked_by=department_admin, staff_role=StaffRole.objects.get(user=case_officer))
    assert not StaffRole.objects.filter(user=case_officer).exists()


# The admin pages


def test_the_add_form_offers_only_what_the_person_may_grant(department_admin, colleague, interior, passports, health):
    response = signed_in(department_admin).get(admin_url("accounts_staffrole_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    roles = {value for value, _label in form.fields["role"].choices if value}
    assert roles == set(StaffRoleKind.values) - {
        StaffRoleKind.DEPARTMENT_ADMIN,
        StaffRoleKind.OPERATOR,
        StaffRoleKind.NATIONAL_ADMIN,
    }
    assert set(form.fields["department"].queryset) == {interior, passports}
    assert department_admin not in form.fields["user"].queryset
    assert colleague in form.fields["user"].queryset


def test_a_grant_through_the_admin(department_admin, colleague, passports):
    response = signed_in(department_admin).post(
        admin_url("accounts_staffrole_add"), {"user": colleague.pk, "role": CASE, "department": passports.pk}
    )
    assert response.status_code == 302
    staff_role = StaffRole.objects.get(user=colleague)
    assert (staff_role.role, staff_role.department, staff_role.granted_by) == (CASE, passports, department_admin)
    assert AccountEvent.objects.filter(user=colleague, kind=AccountEventKind.ROLE_GRANTED).count() == 1


def test_a_forged_grant_through_the_admin_changes_nothing(department_admin, colleague, health):
    client = signed_in(department_admin)
    before = role_rows()
    for data in (
        {"user": colleague.pk, "role": CASE, "department": health.pk},
        {"user": colleague.pk, "role": StaffRoleKind.NATIONAL_ADMIN, "department": ""},
        {"user": department_admin.pk, "role": CASE, "department": ""},
    ):
        response = client.post(admin_url("accounts_staffrole_add"), data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert role_rows() == before


def test_the_list_shows_only_the_administrators_departments(department_admin, case_officer, health, national_admin):
    make_staff_member("officer.health", roles=[(CASE, health)])
    response = signed_in(department_admin).get(admin_url("accounts_staffrole_changelist"))
    listed = {(row.user.username, row.role) for row in response.context["cl"].result_list}
    assert listed == {("officer.interior", "case_officer"), ("admin.interior", "department_admin")}


def test_revoking_through_the_admin(department_admin, case_officer, other_department_admin):
    client = signed_in(department_admin)
    own = StaffRole.objects.get(user=case_officer)
    theirs = StaffRole.objects.get(user=other_department_admin)
    peer_page = client.get(admin_url("accounts_staffrole_delete", theirs.pk))
    assert peer_page.status_code == 302  # not in their list: "does not exist"
    client.post(admin_url("accounts_staffrole_delete", theirs.pk), {"post": "yes"})
    assert StaffRole.objects.filter(pk=theirs.pk).exists()
    own_page = client.get(admin_url("accounts_staffrole_delete", own.pk))
    assert own_page.status_code == 200
    assert client.post(admin_url("accounts_staffrole_delete", own.pk), {"post": "yes"}).status_code == 302
    assert not StaffRole.objects.filter(pk=own.pk).exists()
    assert AccountEvent.objects.get(user=case_officer, kind=AccountEventKind.ROLE_REVOKED).actor == department_admin


def test_a_bulk_revocation_with_one_forbidden_role_revokes_none(department_admin, case_officer, content_editor):
    own = StaffRole.objects.get(user=department_admin)  # their own: never
    others = [StaffRole.objects.get(user=case_officer), StaffRole.objects.get(user=content_editor)]
    client = signed_in(department_admin)
    client.post(
        admin_url("accounts_staffrole_changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, *(r.pk for r in others)], "post": "yes"},
    )
    assert StaffRole.objects.filter(pk__in=[own.pk, *(r.pk for r in others)]).count() == 3


def test_roles_are_never_edited_in_place(national_admin, case_officer, health):
    staff_role = StaffRole.objects.get(user=case_officer)
    client = signed_in(national_admin)
    response = client.post(
        admin_url("accounts_staffrole_change", staff_role.pk),
        {"user": case_officer.pk, "role": StaffRoleKind.NATIONAL_ADMIN, "department": health.pk},
    )
    assert response.status_code == 403
    staff_role.refresh_from_db()
    assert (staff_role.role, staff_role.department_id) == (CASE, case_officer.staff_roles.get().department_id)
