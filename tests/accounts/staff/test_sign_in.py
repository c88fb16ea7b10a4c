"""The staff sign-in: the password, then always a second factor; set-up at the first sign-in; the admin
accepts only the sessions it opens. Everything through HTTP, as a browser would."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import AccountEventKind, StaffRoleKind
from bawaba.accounts.models import AccountEvent, User
from bawaba.accounts.staff.services import staff_user_create
from bawaba.accounts.staff.sign_in import PENDING_SESSION_KEY
from bawaba.core.admin_site import STAFF_SESSION_KEY
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.staff.conftest import STAFF_PASSWORD, signed_in, totp_code, url
from tests.factories import make_staff_member

ADMIN = "/en/admin/"


def sign_in_page() -> str:
    return url("accounts:staff_sign_in")


def password_step(client: Client, username: str, password: str, **data):
    return client.post(sign_in_page(), {"username": username, "password": password, **data})


def code_step(client: Client, code: str):
    return client.post(url("accounts:staff_sign_in_code"), {"code": code})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def wrong_code(device: TOTPDevice, offset: int = 1) -> str:
    """A six-digit code the app does not show now."""
    return f"{(int(totp_code(device)) + offset) % 1_000_000:06d}"


def events(user: User) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_password_then_code_opens_the_admin(sara):
    client = Client()
    assert client.get(sign_in_page()).status_code == 200
    response = password_step(client, "sara.ahmed", STAFF_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == url("accounts:staff_sign_in_code")
    assert not is_signed_in(client)  # the right password alone is no sign-in
    assert client.get(ADMIN).status_code == 302

    response = code_step(client, totp_code(sara.device))
    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert client.session["_auth_user_id"] == str(sara.user.pk)
    assert client.session[STAFF_SESSION_KEY] == str(sara.user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == sara.device.persistent_id
    assert PENDING_SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 200
    signed = AccountEvent.objects.get(user=sara.user, kind=AccountEventKind.SIGNED_IN)
    assert signed.data == {"with_second_factor": True}


def test_a_wrong_code_is_refused_and_changes_nothing(sara):
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    response = code_step(client, wrong_code(sara.device))
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)
    assert client.get(ADMIN).status_code == 302
    assert client.session[PENDING_SESSION_KEY]["wrong_codes"] == 1


def test_the_session_id_changes_at_each_step(sara):
    client = Client()
    client.get(sign_in_page())
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    after_password = client.session.session_key
    code_step(client, totp_code(sara.device))
    assert client.session.session_key != after_password


def test_where_the_person_was_going_is_kept_on_this_site_only(sara):
    client = Client()
    target = "/en/admin/accounts/staffrole/"
    password_step(client, "sara.ahmed", STAFF_PASSWORD, next=target)
    assert code_step(client, totp_code(sara.device))["Location"] == target

    other = Client()
    sara.device.refresh_from_db()
    sara.device.last_t = -1  # the same 30 seconds: let the app's code count again for this second browser
    sara.device.save()
    password_step(other, "sara.ahmed", STAFF_PASSWORD, next="https://evil.example/admin/")
    assert code_step(other, totp_code(sara.device))["Location"] == ADMIN


def test_the_admin_login_page_sends_people_to_the_staff_sign_in(db):
    response = Client().get("/en/admin/login/?next=/en/admin/catalog/service/")
    assert response.status_code == 302
    assert response["Location"] == f"{sign_in_page()}?next={quote('/en/admin/catalog/service/', safe='')}"
    response = Client().get("/en/admin/login/?next=https://evil.example/")
    assert response["Location"] == sign_in_page()
    # A POST with a password is not a way around the second factor.
    response = Client().post("/en/admin/login/", {"username": "root", "password": "x"})
    assert response.status_code == 302
    assert response["Location"] == sign_in_page()


def test_the_admin_refuses_a_session_without_a_second_factor(interior):
    # force_login opens a session with no second factor: what any other sign-in without one would give.
    user = make_staff_member("no.otp", roles=[(StaffRoleKind.OPERATOR, None)], verified=False)
    client = Client()
    client.force_login(user)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"] == "/en/admin/login/?next=/en/admin/"
    superuser = make_staff_member("root.no.otp", superuser=True, verified=False)
    client.force_login(superuser)
    assert client.get("/en/admin/catalog/service/").status_code == 302


def test_the_admin_wants_both_the_device_and_the_staff_sign_in(sara):
    # A second factor passed elsewhere (the citizens' sign-in) leaves the device but not the staff mark.
    client = Client()
    client.force_login(sara.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = sara.device.persistent_id
    session.save()
    assert client.get(ADMIN).status_code == 302
    # The staff mark for another account does not count either.
    session = client.session
    session[STAFF_SESSION_KEY] = str(sara.user.pk + 1000)
    session.save()
    assert client.get(ADMIN).status_code == 302
    # With both, the session is let in; with the device no longer confirmed, not any more.
    session = client.session
    session[STAFF_SESSION_KEY] = str(sara.user.pk)
    session.save()
    assert client.get(ADMIN).status_code == 200
    TOTPDevice.objects.filter(pk=sara.device.pk).update(confirmed=False)
    assert client.get(ADMIN).status_code == 302


def test_a_deactivated_staff_members_open_session_stops_working(operator):
    client = signed_in(operator)
    assert client.get(ADMIN).status_code == 200
    User.objects.filter(pk=operator.pk).update(is_active=False)
    assert client.get(ADMIN).status_code == 302


def test_a_citizen_never_gets_through_the_staff_sign_in(citizen):
    client = Client()
    response = password_step(client, citizen.username, CITIZEN_PASSWORD)
    assert response.status_code == 400
    assert "Wrong username or password." in response.content.decode()
    assert PENDING_SESSION_KEY not in client.session
    assert not is_signed_in(client)
    # Not by number either: the staff sign-in knows usernames only.
    response = password_step(client, citizen.phone, CITIZEN_PASSWORD)
    assert response.status_code == 400
    assert not is_signed_in(client)
    assert AccountEvent.objects.filter(user=citizen).count() == 0


def test_a_citizen_holding_a_stray_role_row_is_still_refused(citizen, interior):
    from bawaba.accounts.models import StaffRole

    StaffRole.objects.create(user=citizen, role=StaffRoleKind.OPERATOR)
    response = password_step(Client(), citizen.username, CITIZEN_PASSWORD)
    assert response.status_code == 400


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(sara):
    wrong = password_step(Client(), "sara.ahmed", "not the password")
    unknown = password_step(Client(), "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 400

    def page(response, username: str) -> str:
        text = response.content.decode().replace(username, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(wrong, "sara.ahmed") == page(unknown, "nobody.here")
    assert events(sara.user)[-1] == AccountEventKind.SIGN_IN_FAILED


def test_a_staff_member_who_signed_in_as_a_citizen_is_not_let_into_the_admin(sara):
    citizen_sign_in = url("accounts:sign_in")
    sara.user.phone = "+9647712345678"
    sara.user.phone_verified_at = timezone.now()
    sara.user.save()
    client = Client()
    client.post(citizen_sign_in, {"phone": "07712345678", "password": STAFF_PASSWORD})
    client.post(url("accounts:sign_in_second_factor"), {"code": totp_code(sara.device)})
    assert is_signed_in(client)  # signed in as a citizen would be, with the second factor
    assert STAFF_SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302


def test_recovery_code_instead_of_the_app_works_once(sara):
    code = sara.recovery_codes[0]
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    response = code_step(client, code)
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200
    assert AccountEventKind.RECOVERY_CODE_USED in events(sara.user)

    again = Client()
    password_step(again, "sara.ahmed", STAFF_PASSWORD)
    assert code_step(again, code).status_code == 400
    assert not is_signed_in(again)


def test_after_losing_the_app_a_recovery_code_leads_to_setting_up_a_new_one(sara):
    TOTPDevice.objects.filter(user=sara.user).delete()
    client = Client()
    response = password_step(client, "sara.ahmed", STAFF_PASSWORD)
    assert response["Location"] == url("accounts:staff_sign_in_code")  # recovery codes are left
    response = code_step(client, sara.recovery_codes[1])
    assert response["Location"] == url("accounts:staff_set_up")
    assert client.get(ADMIN).status_code == 302
    assert client.get(url("accounts:staff_set_up")).status_code == 200
    device = TOTPDevice.objects.get(user=sara.user, confirmed=False)
    response = client.post(url("accounts:staff_set_up"), {"code": totp_code(device)})
    assert response.status_code == 302  # codes are left, so none are shown: straight in
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_too_many_wrong_codes_end_the_pending_sign_in(sara, settings, own_cache):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait between codes: this is about the count
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    right = int(totp_code(sara.device))
    for attempt in range(1, 5):
        assert code_step(client, f"{(right + attempt) % 1_000_000:06d}").status_code == 400
    response = code_step(client, f"{(right + 5) % 1_000_000:06d}")
    assert response.status_code == 302
    assert response["Location"] == sign_in_page()
    assert PENDING_SESSION_KEY not in client.session
    # Even the right code needs the password again now.
    response = code_step(client, f"{right:06d}")
    assert response["Location"] == sign_in_page()
    assert not is_signed_in(client)


def test_the_pending_sign_in_ends_after_fifteen_minutes(sara, clock):
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    clock.advance(minutes=15, seconds=1)
    response = client.get(url("accounts:staff_sign_in_code"))
    assert response.status_code == 302
    assert response["Location"] == sign_in_page()
    assert PENDING_SESSION_KEY not in client.session


def test_password_attempts_are_limited_per_account(sara, own_cache):
    for attempt in range(10):
        response = password_step(Client(REMOTE_ADDR=f"10.0.0.{attempt}"), "sara.ahmed", "wrong")
        assert response.status_code == 400
    client = Client(REMOTE_ADDR="10.0.1.1")
    response = password_step(client, "Sara.Ahmed", STAFF_PASSWORD)
    assert response.status_code == 429
    assert PENDING_SESSION_KEY not in client.session


def test_password_attempts_are_limited_per_address(sara, own_cache):
    for attempt in range(20):
        password_step(Client(), f"guess{attempt}", "wrong")
    client = Client()
    assert password_step(client, "sara.ahmed", STAFF_PASSWORD).status_code == 429
    assert PENDING_SESSION_KEY not in client.session


def test_code_attempts_are_limited_per_account_across_sign_ins(sara, settings, own_cache):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait between codes: this is about the count
    right = int(totp_code(sara.device))
    wrong = [f"{(right + n) % 1_000_000:06d}" for n in range(1, 11)]
    for batch in (wrong[:5], wrong[5:]):
        client = Client()
        password_step(client, "sara.ahmed", STAFF_PASSWORD)
        for code in batch:
            code_step(client, code)
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    response = code_step(client, f"{right:06d}")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_inactive_staff_cannot_sign_in(sara):
    User.objects.filter(pk=sara.user.pk).update(is_active=False)
    client = Client()
    assert password_step(client, "sara.ahmed", STAFF_PASSWORD).status_code == 400
    assert PENDING_SESSION_KEY not in client.session


# The first sign-in of a new staff account


@pytest.fixture
def new_staff(national_admin):
    user, password = staff_user_create(created_by=national_admin, username="Hassan.Ali", full_name="Hassan Ali")
    return user, password


def test_first_sign_in_sets_up_the_app_shows_recovery_codes_and_replaces_the_password(new_staff, national_admin, clock):
    user, password = new_staff
    assert user.username == "hassan.ali"
    client = Client()
    response = password_step(client, "hassan.ali", password)
    assert response["Location"] == url("accounts:staff_set_up")
    # Nothing else is open before the app is set up.
    assert client.get(ADMIN).status_code == 302
    assert client.get(url("accounts:staff_sign_in_code"))["Location"] == url("accounts:staff_set_up")
    assert client.post(url("accounts:staff_continue"))["Location"] == url("accounts:staff_set_up")

    page = client.get(url("accounts:staff_set_up"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].replace(" ", "") in body.replace(" ", "")

    assert client.post(url("accounts:staff_set_up"), {"code": wrong_code(device)}).status_code == 400
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    clock.advance(seconds=2)  # django-otp refuses any code for a second after a wrong one

    shown = client.post(url("accounts:staff_set_up"), {"code": totp_code(device)})
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    codes = shown.context["codes"]
    assert len(codes) == 10
    assert all(code in shown.content.decode() for code in codes)
    assert not is_signed_in(client)

    response = client.post(url("accounts:staff_continue"))
    assert response["Location"] == url("accounts:staff_new_password")
    assert client.get(ADMIN).status_code == 302
    response = client.post(
        url("accounts:staff_new_password"),
        {"new_password": "a river in spring 2031", "new_password_again": "a river in autumn 2031"},
    )
    assert response.status_code == 400
    response = client.post(
        url("accounts:staff_new_password"), {"new_password": password, "new_password_again": password}
    )
    assert response.status_code == 400
    response = client.post(
        url("accounts:staff_new_password"),
        {"new_password": "a river in spring 2031", "new_password_again": "a river in spring 2031"},
    )
    assert response["Location"] == ADMIN
    assert client.session[STAFF_SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password("a river in spring 2031")
    assert events(user) == [
        AccountEventKind.PASSWORD_CHANGED,  # the initial one, by the national admin
        AccountEventKind.SIGN_IN_FAILED,  # the wrong code while setting up
        AccountEventKind.SECOND_FACTOR_ADDED,
        AccountEventKind.RECOVERY_CODES_CREATED,
        AccountEventKind.PASSWORD_CHANGED,  # their own
        AccountEventKind.SIGNED_IN,
    ]
    first, own = AccountEvent.objects.filter(user=user, kind=AccountEventKind.PASSWORD_CHANGED).order_by("id")
    assert first.data == {"initial": True}
    assert (first.actor_id, own.actor_id) == (national_admin.pk, user.pk)


def test_the_one_time_password_works_once(new_staff):
    user, password = new_staff
    client = Client()
    password_step(client, "hassan.ali", password)
    client.get(url("accounts:staff_set_up"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(url("accounts:staff_set_up"), {"code": totp_code(device)})
    client.post(url("accounts:staff_continue"))
    client.post(
        url("accounts:staff_new_password"),
        {"new_password": "a river in spring 2031", "new_password_again": "a river in spring 2031"},
    )
    assert password_step(Client(), "hassan.ali", password).status_code == 400


def test_leaving_half_way_through_the_set_up_leaves_no_way_in(new_staff):
    user, password = new_staff
    client = Client()
    password_step(client, "hassan.ali", password)
    client.get(url("accounts:staff_set_up"))
    # Another browser with the same password still has to set up an app: nothing was confirmed.
    other = Client()
    assert password_step(other, "hassan.ali", password)["Location"] == url("accounts:staff_set_up")
    assert other.get(ADMIN).status_code == 302


def test_pending_sign_in_of_an_account_deactivated_meanwhile_ends(sara):
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    User.objects.filter(pk=sara.user.pk).update(is_active=False)
    response = code_step(client, totp_code(sara.device))
    assert response["Location"] == sign_in_page()
    assert not is_signed_in(client)


def test_sign_in_page_sends_a_signed_in_staff_member_on(operator):
    client = signed_in(operator)
    response = client.get(sign_in_page())
    assert response.status_code == 302
    assert response["Location"] == ADMIN


def test_failed_steps_are_recorded_without_what_was_typed(sara):
    # The history of a staff sign-in names the step that failed, never the code or password typed.
    client = Client()
    password_step(client, "sara.ahmed", "wrong password 1")
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    code_step(client, wrong_code(sara.device))
    failed = AccountEvent.objects.filter(user=sara.user, kind=AccountEventKind.SIGN_IN_FAILED).order_by("id")
    assert [event.data for event in failed] == [
        {"step": "password", "staff": True},
        {"step": "second_factor", "staff": True},
    ]


def test_right_after_a_wrong_code_the_person_is_asked_to_wait_not_told_it_is_wrong(sara, clock):
    client = Client()
    password_step(client, "sara.ahmed", STAFF_PASSWORD)
    code_step(client, wrong_code(sara.device))
    response = code_step(client, totp_code(sara.device))
    assert response.status_code == 429
    assert "Please wait 2 seconds, then enter the code again." in response.content.decode()
    assert client.session[PENDING_SESSION_KEY]["wrong_codes"] == 1  # waiting is not another wrong code
    clock.advance(seconds=3)
    assert code_step(client, totp_code(sara.device))["Location"] == ADMIN


def test_a_key_from_an_earlier_abandoned_set_up_is_never_reused(new_staff):
    user, password = new_staff
    first = Client()
    password_step(first, "hassan.ali", password)
    first.get(url("accounts:staff_set_up"))
    abandoned = TOTPDevice.objects.get(user=user, confirmed=False)

    second = Client()
    password_step(second, "hassan.ali", password)
    second.get(url("accounts:staff_set_up"))
    current = TOTPDevice.objects.get(user=user, confirmed=False)
    assert current.key != abandoned.key
    # The first browser's key is gone: a code from it confirms nothing, and that page shows a new key.
    response = first.post(url("accounts:staff_set_up"), {"code": totp_code(abandoned)})
    assert response.status_code == 302
    assert response["Location"] == url("accounts:staff_set_up")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # The second browser finishes with its own key.
    response = second.post(url("accounts:staff_set_up"), {"code": totp_code(current)})
    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=user, confirmed=True).key == current.key
