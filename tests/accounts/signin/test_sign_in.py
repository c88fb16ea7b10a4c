"""Signing in with a mobile number and password, over HTTP: formats, generic errors, sessions, redirects."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.test import Client
from django.urls import reverse

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, User
from bawaba.accounts.signin.device_cookies import COOKIE_NAME, SALT
from tests.accounts.conftest import CITIZEN_PASSWORD
from tests.accounts.signin.conftest import SIGN_IN_URL, sign_in

HOME_URL = "/en/account/"


def _signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _events(user: User, kind: str) -> int:
    return AccountEvent.objects.filter(user=user, kind=kind).count()


@pytest.mark.parametrize(
    "typed",
    [
        "07701234567",
        "0770 123 4567",
        "0770-123-4567",
        "+964 770 123 4567",
        "009647701234567",
        "٠٧٧٠١٢٣٤٥٦٧",
        "7701234567",
    ],
)
def test_signs_in_with_the_number_in_any_format(client, citizen, typed):
    response = sign_in(client, typed, CITIZEN_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert _signed_in_user_id(client) == str(citizen.pk)
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.SIGNED_IN)
    assert event.data == {"with_second_factor": False}
    assert event.client_address == "127.0.0.1"


def test_the_page_has_labelled_fields_with_autocomplete(client, db):
    response = client.get(SIGN_IN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_phone">Mobile number</label>' in html
    assert 'type="tel"' in html
    assert 'autocomplete="tel"' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "<h1>Sign in</h1>" in html


def test_a_wrong_password_gets_the_generic_answer_with_both_ways_forward(client, citizen):
    response = sign_in(client, "0770 123 4567", "not my password at all")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wrong number or password." in html
    assert 'value="0770 123 4567"' in html  # what was typed stays
    assert "not my password" not in html  # the password never comes back
    for name, text in [
        ("accounts:recover", "Forgot your password?"),
        (
            "accounts:signup",
            "Not finished signing up? Sign up again with your number: you will continue where you left off.",
        ),
    ]:
        url = reverse(name)
        assert f'<a href="{url}">{text}</a>' in html
    assert _signed_in_user_id(client) is None
    assert _events(citizen, AccountEventKind.SIGN_IN_FAILED) == 1
    assert _events(citizen, AccountEventKind.SIGNED_IN) == 0


def _comparable(response, typed: str) -> str:
    """The page without what differs by design: the CSRF token and the number as typed."""
    html = response.content.decode().replace(typed, "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def test_unknown_number_wrong_password_and_unfinished_sign_up_get_identical_answers(db, citizen, unverified_citizen):
    unknown = sign_in(Client(), "07709998888", "a password of some length")
    wrong = sign_in(Client(), "07701234567", "a password of some length")
    # The unfinished sign-up's own right password: still the same answer (it can never sign in).
    unfinished = sign_in(Client(), "07511234567", "dates from Basra orchard")
    assert unknown.status_code == wrong.status_code == unfinished.status_code == 400
    # Expires (never_cache) is the time of the answer, to the second.
    headers = [{k: v for k, v in answer.headers.items() if k != "Expires"} for answer in (unknown, wrong, unfinished)]
    assert headers[0] == headers[1] == headers[2]
    assert (
        _comparable(unknown, "07709998888")
        == _comparable(wrong, "07701234567")
        == _comparable(unfinished, "07511234567")
    )


def test_an_unverified_account_can_never_sign_in(client, unverified_citizen):
    response = sign_in(client, "+9647511234567", "dates from Basra orchard")
    assert response.status_code == 400
    assert _signed_in_user_id(client) is None
    assert _events(unverified_citizen, AccountEventKind.SIGNED_IN) == 0
    assert _events(unverified_citizen, AccountEventKind.SIGN_IN_FAILED) == 1


def test_a_deleted_account_cannot_sign_in(client, citizen):
    from django.utils import timezone

    User.objects.filter(pk=citizen.pk).update(deleted_at=timezone.now())
    assert sign_in(client, "07701234567", CITIZEN_PASSWORD).status_code == 400
    assert _signed_in_user_id(client) is None


def test_a_number_that_is_not_a_mobile_number_is_a_field_error(client, citizen):
    response = sign_in(client, "12345", CITIZEN_PASSWORD)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Check the number. Write it like this: 0770 123 4567." in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert '<a href="#id_phone">' in html
    assert AccountEvent.objects.count() == 0


def test_empty_fields_are_field_errors(client, db):
    response = client.post(SIGN_IN_URL, {"phone": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter your mobile number." in html
    assert "Enter your password." in html


def test_signing_in_gives_a_new_session_key_and_ends_the_old_one(client, citizen):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    old_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sign_in(client, "07701234567", CITIZEN_PASSWORD).status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    old_store: SessionBase = engine.SessionStore()
    assert old_store.exists(old_key) is False


def test_an_old_pbkdf2_hash_is_upgraded_at_sign_in(client, citizen):
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=citizen.pk).update(password=hasher.encode(CITIZEN_PASSWORD, hasher.salt()))
    assert sign_in(client, "07701234567", CITIZEN_PASSWORD).status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_argon2_hash_at_djangos_default_cost_is_upgraded_at_sign_in(client, citizen):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    User.objects.filter(pk=citizen.pk).update(password=hasher.encode(CITIZEN_PASSWORD, hasher.salt()))
    assert "m=102400,t=2,p=8" in User.objects.get(pk=citizen.pk).password
    assert sign_in(client, "07701234567", CITIZEN_PASSWORD).status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_safe_next_address_is_followed(client, citizen):
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD, data={"next": "/en/services/?q=passport"})
    assert response["Location"] == "/en/services/?q=passport"


def test_the_page_keeps_next_for_the_form(client, db):
    response = client.get(SIGN_IN_URL + "?next=/en/account/sessions/")
    assert '<input type="hidden" name="next" value="/en/account/sessions/"' in response.content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "http://testserver.evil.example/",
        "\x01//evil.example",
    ],
)
def test_next_never_leaves_the_site(client, citizen, next_url):
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD, data={"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_next_in_the_query_string_is_checked_too(client, citizen):
    response = client.post(
        SIGN_IN_URL + "?next=//evil.example/", {"phone": "07701234567", "password": CITIZEN_PASSWORD}
    )
    assert response["Location"] == HOME_URL


def test_a_signed_in_person_opening_the_page_goes_on(client, citizen):
    sign_in(client, "07701234567", CITIZEN_PASSWORD)
    response = client.get(SIGN_IN_URL + "?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_sign_in_needs_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD)
    assert response.status_code == 403
    assert _signed_in_user_id(client) is None
    assert AccountEvent.objects.count() == 0
    assert COOKIE_NAME not in response.cookies


def test_sign_in_works_with_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    page = client.get(SIGN_IN_URL)
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD, data={"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_device_cookie_naming_the_account_is_set_after_signing_in(client, citizen):
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD)
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] == ""  # not on plain http in development
    assert cookie["max-age"] == 180 * 24 * 3600
    [[public_id, nonce, _issued]] = signing.loads(cookie.value, salt=SALT)
    assert public_id == str(citizen.public_id)
    assert len(nonce) >= 20


def test_the_device_cookie_is_secure_in_production(client, citizen, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = sign_in(client, "07701234567", CITIZEN_PASSWORD, secure=True)
    assert response.cookies[COOKIE_NAME]["secure"] is True


def test_no_device_cookie_after_a_failure(client, citizen):
    response = sign_in(client, "07701234567", "wrong password here")
    assert COOKIE_NAME not in response.cookies


def test_sign_out_is_post_only(client, citizen):
    sign_in(client, "07701234567", CITIZEN_PASSWORD)
    assert client.get("/en/account/sign-out/").status_code == 405
    assert _signed_in_user_id(client) == str(citizen.pk)


def test_sign_out_needs_the_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    page = client.get(SIGN_IN_URL)
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    sign_in(client, "07701234567", CITIZEN_PASSWORD, data={"csrfmiddlewaretoken": token})
    assert client.post("/en/account/sign-out/").status_code == 403
    assert _signed_in_user_id(client) == str(citizen.pk)
    assert _events(citizen, AccountEventKind.SIGNED_OUT) == 0


def test_sign_out_ends_the_session_and_keeps_the_device_cookie(client, citizen):
    sign_in(client, "07701234567", CITIZEN_PASSWORD)
    device_cookie = client.cookies[COOKIE_NAME].value
    response = client.post("/en/account/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/sign-in/"
    assert _signed_in_user_id(client) is None
    assert _events(citizen, AccountEventKind.SIGNED_OUT) == 1
    assert client.cookies[COOKIE_NAME].value == device_cookie
    page = client.get(response["Location"])
    assert "You have signed out." in page.content.decode()


def test_the_sign_out_form_partial_posts_with_a_token(rf, citizen):
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string
    from django.utils import translation

    request = rf.get("/en/account/")
    get_token(request)
    with translation.override("en"):
        html = render_to_string("accounts/signin/_sign_out_form.html", request=request)
    assert '<form method="post" action="/en/account/sign-out/" class="sign-out">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" class="secondary">Sign out</button>' in html
