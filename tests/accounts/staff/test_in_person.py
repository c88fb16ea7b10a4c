"""Verifying a number at a service centre: a clerk finds a waiting sign-up by its whole number, sees the
identity document, and marks the number verified. Every look is in the citizen's log."""

import pytest
from django.test import Client

from bawaba.accounts.constants import AccountEventKind, VerificationPurpose, VerificationStatus
from bawaba.accounts.models import AccountEvent, PersonalDataAccess, PhoneVerification, User
from bawaba.accounts.staff.constants import IN_PERSON_LOOKUPS_PER_HOUR
from tests.accounts.staff.conftest import signed_in, url
from tests.factories import OfficeFactory

NUMBER = "+9647731112233"
PASSWORD = "a long walk by the river"
NEW_PASSWORD = "dates from the Basra palms"


@pytest.fixture
def waiting(db):
    """Someone who started signing up on their phone; the code never came."""
    user = User(username="c-waiting", phone=NUMBER, full_name="Sama Waiting", preferred_language="ar")
    user.set_password(PASSWORD)
    user.save()
    verification = PhoneVerification.objects.create(
        purpose=VerificationPurpose.SIGNUP, phone=NUMBER, user=user, subject_key=f"signup:{NUMBER}:{user.pk}"
    )
    return user, verification


@pytest.fixture
def centre(interior):
    return OfficeFactory(department=interior, code="karrada-centre", name_en="Karrada citizen service centre")


@pytest.fixture
def health_centre(health):
    return OfficeFactory(department=health, code="medical-city", name_en="Medical City")


def page() -> str:
    return url("accounts:staff_verify_in_person")


def find(client: Client, phone: str):
    return client.post(page(), {"step": "find", "phone": phone})


def confirm(client: Client, where, **changes):
    data = {
        "step": "confirm",
        "phone": "0773 111 2233",
        "document_type": "national_card",
        "document_seen": "on",
        "office": where.pk,
        "full_name": "Sama Waiting",
        "new_password": NEW_PASSWORD,
    }
    data.update(changes)
    return client.post(page(), {key: value for key, value in data.items() if value is not None})


def unchanged(waiting) -> bool:
    user, verification = waiting
    user.refresh_from_db()
    verification.refresh_from_db()
    return (
        user.phone_verified_at is None
        and verification.status == VerificationStatus.PENDING
        and not AccountEvent.objects.filter(user=user, kind=AccountEventKind.PHONE_VERIFIED).exists()
    )


def test_the_clerk_finds_the_sign_up_by_its_whole_number_and_sees_the_name(case_officer, waiting, centre):
    client = signed_in(case_officer)
    assert client.get(page()).status_code == 200
    response = find(client, "٠٧٧٣ ١١١ ٢٢٣٣")  # Eastern Arabic digits, as typed on an Arabic keyboard
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sama Waiting" in body
    assert list(response.context["confirm_form"].fields["office"].queryset) == [centre]
    access = PersonalDataAccess.objects.get(citizen=waiting[0])
    assert (access.staff, access.what) == (case_officer, "Name and mobile number of a sign-up")
    assert unchanged(waiting)


@pytest.mark.parametrize("typed", ["0773 111", "773111223", "Sama", "%", ""])
def test_nothing_is_found_from_part_of_a_number(case_officer, waiting, typed):
    response = find(signed_in(case_officer), typed)
    assert response.status_code == 400
    assert "Sama Waiting" not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_number_without_a_waiting_sign_up(case_officer, citizen, waiting):
    client = signed_in(case_officer)
    for number in ("0780 000 0000", citizen.phone):  # no account; a verified account
        response = find(client, number)
        assert response.status_code == 404
        assert "No sign-up is waiting for this number." in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_the_clerk_marks_the_number_verified(case_officer, waiting, centre):
    user, verification = waiting
    response = confirm(signed_in(case_officer), centre)
    assert response.status_code == 302
    assert response["Location"] == page()
    user.refresh_from_db()
    verification.refresh_from_db()
    assert user.phone_verified_at is not None
    assert (verification.status, verification.verified_at) == (VerificationStatus.VERIFIED, user.phone_verified_at)
    event = AccountEvent.objects.get(user=user, kind=AccountEventKind.PHONE_VERIFIED)
    assert event.actor == case_officer
    assert event.data == {"in_person": True, "office": "karrada-centre", "document": "national_card"}
    access = PersonalDataAccess.objects.get(citizen=user)
    assert (access.staff, access.department, access.what) == (
        case_officer,
        centre.department,
        "Mobile number verified after seeing: National card (unified ID)",
    )


def test_after_it_the_person_signs_in_with_their_number_and_the_password_they_typed(case_officer, waiting, centre):
    sign_in = url("accounts:sign_in")
    client = Client()
    assert "_auth_user_id" not in client.session
    confirm(signed_in(case_officer), centre)
    response = client.post(sign_in, {"phone": "0773 111 2233", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(waiting[0].pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_seen": None}, "document_seen"),
        ({"document_type": ""}, "document_type"),
        ({"document_type": "driving_licence"}, "document_type"),
        ({"office": ""}, "office"),
    ],
)
def test_the_document_must_be_confirmed(case_officer, waiting, centre, changes, field):
    response = confirm(signed_in(case_officer), centre, **changes)
    assert response.status_code == 400
    assert field in response.context["confirm_form"].errors
    assert "Sama Waiting" in response.content.decode()  # shown again to compare, and logged again
    assert unchanged(waiting)


def test_a_case_officer_works_only_for_their_departments_offices(case_officer, waiting, health_centre):
    response = confirm(signed_in(case_officer), health_centre)
    assert response.status_code == 400
    assert "office" in response.context["confirm_form"].errors
    assert unchanged(waiting)


def test_an_operator_works_at_any_office(operator, waiting, health_centre):
    assert confirm(signed_in(operator), health_centre).status_code == 302
    assert not unchanged(waiting)


def test_a_number_verified_meanwhile_is_not_verified_twice(case_officer, waiting, centre):
    client = signed_in(case_officer)
    assert confirm(client, centre).status_code == 302
    response = confirm(client, centre)
    assert response.status_code == 404
    assert AccountEvent.objects.filter(user=waiting[0], kind=AccountEventKind.PHONE_VERIFIED).count() == 1


@pytest.mark.parametrize("who", ["citizen", "analyst", "content_editor", "supervisor", "plain_staff", "anonymous"])
def test_others_cannot_verify_in_person(who, request, waiting, centre):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = signed_in(user)
    for response in (client.get(page()), find(client, "0773 111 2233"), confirm(client, centre)):
        if who in ("citizen", "anonymous"):
            assert response.status_code == 302
            assert response["Location"].startswith(url("accounts:staff_sign_in"))
        else:
            assert response.status_code == 403
        assert "Sama Waiting" not in response.content.decode()
    assert unchanged(waiting)
    assert not PersonalDataAccess.objects.exists()


def test_a_clerk_session_without_the_second_factor_is_sent_to_sign_in(interior, waiting, centre):
    from bawaba.accounts.constants import StaffRoleKind
    from tests.factories import make_staff_member

    clerk = make_staff_member("clerk.no.otp", roles=[(StaffRoleKind.CASE_OFFICER, interior)], verified=False)
    client = Client()
    client.force_login(clerk)
    response = confirm(client, centre)
    assert response.status_code == 302
    assert unchanged(waiting)


def test_look_ups_are_limited_per_clerk(case_officer, waiting, own_cache):
    client = signed_in(case_officer)
    for _attempt in range(IN_PERSON_LOOKUPS_PER_HOUR):
        find(client, "0780 000 0000")
    response = find(client, "0773 111 2233")
    assert response.status_code == 429
    assert "Sama Waiting" not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_the_password_typed_at_the_desk_replaces_whatever_the_sign_up_had(case_officer, waiting, centre):
    """Security review F1: someone else may have signed the number up first with a password of their own."""
    user, _verification = waiting
    response = confirm(signed_in(case_officer), centre, full_name="Sama  Real   Name")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Sama Real Name"
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert Client().login(phone=NUMBER, password=PASSWORD) is False
    assert Client().login(phone=NUMBER, password=NEW_PASSWORD) is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"new_password": "12345678"}, "new_password"),
        ({"new_password": ""}, "new_password"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_a_weak_password_or_no_name_verifies_nothing(case_officer, waiting, centre, changes, field):
    response = confirm(signed_in(case_officer), centre, **changes)

    assert response.status_code == 400
    assert response.context["confirm_form"].errors[field]
    assert unchanged(waiting)
    assert waiting[0].check_password(PASSWORD)
