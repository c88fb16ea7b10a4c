"""The staff-view log service: append-only rows with a reason, read newest first for one citizen."""

import pytest

from bawaba.accounts.models import PersonalDataAccess, User
from bawaba.accounts.personal_data import personal_data_access_list_for_citizen, personal_data_access_record
from bawaba.core.errors import ValidationFailed


def test_a_view_is_recorded_with_a_snapshot_of_the_staff_name(citizen, officer_of_health, health_department):
    access = personal_data_access_record(
        staff=officer_of_health,
        citizen=citizen,
        reason="  Complaint   HC-123 about a clinic ",
        what="Name and mobile number",
        department=health_department,
    )

    access.refresh_from_db()
    assert access.citizen == citizen
    assert access.staff == officer_of_health
    assert access.staff_name == "Huda Kareem"
    assert access.department == health_department
    assert access.reason == "Complaint HC-123 about a clinic"
    assert access.what == "Name and mobile number"


def test_the_username_stands_in_for_a_missing_name(citizen, db):
    staff = User.objects.create_user(username="desk-7", password="a staff passphrase 42", is_staff=True)

    access = personal_data_access_record(staff=staff, citizen=citizen, reason="Case HC-9", what="Profile")

    assert access.staff_name == "desk-7"
    assert access.department is None


def test_the_name_stays_when_the_staff_account_goes(citizen, officer_of_health):
    personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case HC-1", what="Profile")

    officer_of_health.delete()

    access = PersonalDataAccess.objects.get(citizen=citizen)
    assert access.staff is None
    assert access.staff_name == "Huda Kareem"


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_view_without_a_reason_is_refused_and_nothing_is_written(citizen, officer_of_health, reason):
    with pytest.raises(ValidationFailed) as raised:
        personal_data_access_record(staff=officer_of_health, citizen=citizen, reason=reason, what="Profile")

    assert raised.value.code == "reason_required"
    assert list(raised.value.fields) == ["reason"]
    assert PersonalDataAccess.objects.count() == 0


def test_what_was_viewed_is_required(citizen, officer_of_health):
    with pytest.raises(ValidationFailed) as raised:
        personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case HC-1", what=" ")

    assert raised.value.code == "what_required"
    assert PersonalDataAccess.objects.count() == 0


def test_a_reason_longer_than_the_log_keeps_is_refused_not_cut(citizen, officer_of_health):
    with pytest.raises(ValidationFailed) as raised:
        personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="x" * 301, what="Profile")

    assert raised.value.code == "invalid"
    assert list(raised.value.fields) == ["reason"]
    assert PersonalDataAccess.objects.count() == 0


def test_the_list_holds_only_this_citizens_views_newest_first(citizen, other_citizen, officer_of_health):
    first = personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case 1", what="Profile")
    personal_data_access_record(staff=officer_of_health, citizen=other_citizen, reason="Case 2", what="Profile")
    second = personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case 3", what="Phone")

    assert list(personal_data_access_list_for_citizen(citizen=citizen)) == [second, first]
