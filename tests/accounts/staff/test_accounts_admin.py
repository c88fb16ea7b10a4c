"""Accounts in the back office: citizens seen by few and every view logged; staff accounts created
with a one-time password shown once; resets of a lost second factor."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, StaffRoleKind
from bawaba.accounts.models import AccountEvent, AccountSession, PersonalDataAccess, User
from bawaba.accounts.staff.services import staff_password_must_change
from tests.accounts.staff.conftest import signed_in
from tests.catalog.test_admin_helpers import admin_url

# The read-only list of a staff member's roles on their page: posted back as it was shown.
ROLES_INLINE_UNCHANGED = {"staff_roles-TOTAL_FORMS": 1, "staff_roles-INITIAL_FORMS": 1}
SEE_CITIZENS = ("operator", "national_admin", "superuser")
NOT_CITIZENS = ("department_admin", "content_editor", "case_officer", "analyst", "plain_staff")


@pytest.mark.parametrize("who", SEE_CITIZENS + NOT_CITIZENS)
def test_a_citizens_account_is_seen_only_by_national_admins_and_operators(who, citizen, request):
    viewer = request.getfixturevalue(who)
    response = signed_in(viewer).get(admin_url("accounts_user_change", citizen.pk))
    if who in SEE_CITIZENS:
        assert response.status_code == 200
        assert citizen.phone in response.content.decode()
        access = PersonalDataAccess.objects.get(citizen=citizen)
        assert (access.staff, access.what) == (viewer, "Account details in the back office")
    else:
        assert response.status_code in (302, 403)
        assert citizen.phone not in response.content.decode()
        assert not PersonalDataAccess.objects.filter(citizen=citizen).exists()


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("national_admin", "Account administration (National administrator)"),
        ("operator", "Account administration (Operator)"),
        ("superuser", "Account administration (superuser)"),
    ],
)
def test_the_citizens_log_says_who_looked_and_in_which_role(who, reason, citizen, request):
    viewer = request.getfixturevalue(who)
    client = signed_in(viewer)
    client.get(admin_url("accounts_user_change", citizen.pk))
    client.get(admin_url("accounts_user_history", citizen.pk))
    accesses = PersonalDataAccess.objects.filter(citizen=citizen).order_by("id")
    assert [(a.staff_name, a.reason, a.what) for a in accesses] == [
        (viewer.full_name, reason, "Account details in the back office"),
        (viewer.full_name, reason, "Account change history in the back office"),
    ]


def test_lists_never_show_citizens_names_or_numbers(operator, citizen, other_citizen):
    response = signed_in(operator).get(admin_url("accounts_user_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    for person in (citizen, other_citizen):
        assert person.full_name not in body
        assert person.phone not in body
        assert person in response.context["cl"].result_list
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("term", "found"),
    [("0770 123 4567", True), ("+9647701234567", True), ("770123", False), ("Zainab", False), ("c-citizen", True)],
)
def test_a_citizen_is_found_by_the_whole_number_only(operator, citizen, term, found):
    response = signed_in(operator).get(admin_url("accounts_user_changelist"), {"q": term})
    assert (citizen in response.context["cl"].result_list) == found


def test_staff_are_found_by_part_of_their_name(department_admin, case_officer, citizen):
    response = signed_in(department_admin).get(admin_url("accounts_user_changelist"), {"q": "Karim"})
    assert list(response.context["cl"].result_list) == [case_officer]
    # A department admin sees staff only: not even a whole number finds a citizen.
    response = signed_in(department_admin).get(admin_url("accounts_user_changelist"), {"q": citizen.phone})
    assert list(response.context["cl"].result_list) == []


def test_nobody_changes_a_citizens_account_here(national_admin, superuser, citizen):
    for admin_user in (national_admin, superuser):
        response = signed_in(admin_user).post(
            admin_url("accounts_user_change", citizen.pk),
            {"full_name": "Changed", "phone": "+9647700000000", "is_active": ""},
        )
        assert response.status_code == 403
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.phone, citizen.is_active) == ("Zainab Ali", "+9647701234567", True)


# Staff accounts


@pytest.mark.parametrize("who", ["national_admin", "department_admin"])
def test_creating_a_staff_account_shows_its_one_time_password_once(who, request):
    creator = request.getfixturevalue(who)
    client = signed_in(creator)
    assert client.get(admin_url("accounts_user_add")).status_code == 200
    response = client.post(admin_url("accounts_user_add"), {"username": " Mona.Saad ", "full_name": "Mona  Saad"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="mona.saad")
    password = response.context["password"]
    assert password in response.content.decode()
    assert (user.full_name, user.is_staff, user.is_superuser, user.is_active) == ("Mona Saad", True, False, True)
    assert user.check_password(password)
    assert staff_password_must_change(user)
    event = AccountEvent.objects.get(user=user)
    assert (event.kind, event.actor, event.data) == (AccountEventKind.PASSWORD_CHANGED, creator, {"initial": True})
    assert not TOTPDevice.objects.filter(user=user).exists()  # set up at the first sign-in
    # The page is not kept: the account's own page never shows a password.
    assert password not in client.get(admin_url("accounts_user_change", user.pk)).content.decode()


@pytest.mark.parametrize(
    ("username", "problem"),
    [("c-someone", "username"), ("x", "username"), ("case_officer", None), ("officer.interior", "username")],
)
def test_staff_usernames(national_admin, case_officer, username, problem):
    response = signed_in(national_admin).post(
        admin_url("accounts_user_add"), {"username": username, "full_name": "Someone"}
    )
    if problem:
        assert response.status_code == 400
        assert problem in response.context["form"].errors
    else:
        assert response.status_code == 200
        assert User.objects.filter(username=username, is_staff=True).exists()


@pytest.mark.parametrize("who", ["content_editor", "case_officer", "operator", "analyst"])
def test_only_role_managers_create_staff_accounts(who, request):
    response = signed_in(request.getfixturevalue(who)).post(
        admin_url("accounts_user_add"), {"username": "intruder", "full_name": "Intruder"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()


def test_a_national_admin_deactivates_a_staff_account(national_admin, case_officer):
    response = signed_in(national_admin).post(
        admin_url("accounts_user_change", case_officer.pk),
        {"full_name": "Karim Officer", "is_active": "", **ROLES_INLINE_UNCHANGED},
    )
    assert response.status_code == 302
    case_officer.refresh_from_db()
    assert case_officer.is_active is False


@pytest.mark.parametrize("who", ["department_admin", "operator"])
def test_others_only_look_at_staff_accounts(who, case_officer, request):
    client = signed_in(request.getfixturevalue(who))
    if who == "department_admin":
        assert client.get(admin_url("accounts_user_change", case_officer.pk)).status_code == 200
    response = client.post(
        admin_url("accounts_user_change", case_officer.pk), {"full_name": "Renamed", "is_active": ""}
    )
    assert response.status_code == 403
    case_officer.refresh_from_db()
    assert (case_officer.full_name, case_officer.is_active) == ("Karim Officer", True)


def test_nobody_makes_themselves_superuser_or_changes_their_own_account(national_admin):
    response = signed_in(national_admin).post(
        admin_url("accounts_user_change", national_admin.pk),
        {"full_name": "Me", "is_active": "on", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    national_admin.refresh_from_db()
    assert (national_admin.full_name, national_admin.is_superuser) == ("Layla National", False)


def test_a_national_admin_resets_a_lost_second_factor(national_admin, sara):
    AccountSession.objects.create(user=sara.user, session_key="sara-session", last_seen_at=sara.user.date_joined)
    client = signed_in(national_admin)
    url = admin_url("accounts_user_reset_credentials", sara.user.pk)
    assert client.get(url).status_code == 200
    assert TOTPDevice.objects.filter(user=sara.user).exists()  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 200
    password = response.context["password"]
    sara.user.refresh_from_db()
    assert sara.user.check_password(password)
    assert staff_password_must_change(sara.user)
    assert not TOTPDevice.objects.filter(user=sara.user).exists()
    assert not StaticDevice.objects.filter(user=sara.user).exists()
    assert AccountSession.objects.get(session_key="sara-session").end_reason == "credentials_reset"
    kinds = list(AccountEvent.objects.filter(user=sara.user, actor=national_admin).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([AccountEventKind.SECOND_FACTOR_REMOVED, AccountEventKind.PASSWORD_CHANGED])


@pytest.mark.parametrize("who", ["department_admin", "operator", "case_officer"])
def test_only_national_admins_reset_a_second_factor(who, sara, request):
    before = sara.user.password
    response = signed_in(request.getfixturevalue(who)).post(admin_url("accounts_user_reset_credentials", sara.user.pk))
    assert response.status_code == 403
    sara.user.refresh_from_db()
    assert sara.user.password == before
    assert TOTPDevice.objects.filter(user=sara.user).exists()


def test_a_national_admin_cannot_reset_their_own(national_admin):
    response = signed_in(national_admin).post(admin_url("accounts_user_reset_credentials", national_admin.pk))
    assert response.status_code == 403


def test_the_index_shows_accounts_only_to_those_concerned(content_editor, department_admin):
    def account_models(user):
        response = signed_in(user).get(admin_url("index"))
        return {
            model["object_name"]
            for app in response.context["app_list"]
            if app["app_label"] == "accounts"
            for model in app["models"]
        }

    assert account_models(content_editor) == set()
    assert account_models(department_admin) == {"StaffRole", "User"}
    assert StaffRoleKind.DEPARTMENT_ADMIN in department_admin.staff_roles.values_list("role", flat=True)
