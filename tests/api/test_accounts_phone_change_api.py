"""The phone change API for the mobile app: session cookie with CSRF, a recent confirmation, stable error codes."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, AccountSession, PhoneVerification, User
from bawaba.notifications.builtin_templates import install_builtin_templates

CITIZEN_PASSWORD = "rain over Basra 1987"  # noqa: S105
OTHER_PASSWORD = "another long passphrase"  # noqa: S105
NEW_NUMBER = "+9647709876543"  # no account has it


def person(username: str, phone: str, password: str) -> User:
    user = User(username=username, full_name=username, phone=phone, phone_verified_at=timezone.now())
    user.set_password(password)
    user.save()
    return user


@pytest.fixture
def citizen(db):
    return person("c-citizen", "+9647701234567", CITIZEN_PASSWORD)


@pytest.fixture
def other_citizen(db):
    return person("c-other", "+9647801234567", OTHER_PASSWORD)


@pytest.fixture
def clock(monkeypatch):
    """Time stands still, so that waits and countdowns compare exactly."""
    frozen = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


@pytest.fixture
def builtin_templates(db):
    """Transactional tests empty every table; the SMS templates come back."""
    install_builtin_templates()


@pytest.fixture
def outbox(settings):
    """The messages this test "sent", from its own outbox file."""

    class Outbox:
        def lines(self, to: str) -> list[dict]:
            path = Path(settings.BAWABA_OUTBOX_FILE)
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            found = [json.loads(line) for line in text.splitlines()]
            return [line for line in found if line["to"] == to]

        def last_code(self, to: str) -> str:
            codes = [m.group(0) for line in self.lines(to) if (m := re.search(r"\d{6}", line["body"]))]
            assert codes, "no code was sent"
            return codes[-1]

    return Outbox()


API = "/api/v1/accounts"
TICKET_HEADER = "HTTP_X_VERIFICATION_TICKET"


def post(client: Client, path: str, body: dict, **headers):
    return client.post(f"{API}{path}", body, content_type="application/json", **headers)


def app_signed_in(user, password: str = CITIZEN_PASSWORD, *, confirmed: bool = True) -> Client:
    client = Client(HTTP_USER_AGENT="Bawaba/1.0 (Android 13)")
    assert client.login(phone=user.phone, password=password)
    if confirmed:
        assert post(client, "/reauthenticate", {"password": password}).json() == {"valid_for": 600}
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/reauthenticate"),
        ("post", "/phone-change"),
        ("get", "/phone-change"),
        ("post", "/phone-change/resend"),
        ("post", "/phone-change/verify"),
    ],
)
def test_anonymous_callers_are_refused(client, method, path):
    response = getattr(client, method)(f"{API}{path}?lang=en", {}, content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}


@pytest.mark.django_db
def test_the_csrf_token_is_required(citizen):
    careful = Client(enforce_csrf_checks=True)
    assert careful.login(phone=citizen.phone, password=CITIZEN_PASSWORD)

    refused = post(careful, "/reauthenticate", {"password": CITIZEN_PASSWORD})

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    careful.get("/en/account/confirm/")  # any page with a form hands out the token
    token = careful.cookies["csrftoken"].value
    accepted = post(careful, "/reauthenticate", {"password": CITIZEN_PASSWORD}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_does_not_confirm(citizen):
    app = app_signed_in(citizen, confirmed=False)

    response = post(app, "/reauthenticate", {"password": "not it", "lang": "en"})

    assert response.status_code == 400
    assert response.json()["code"] == "reauthentication_failed"
    assert post(app, "/phone-change", {"phone": NEW_NUMBER}).json()["code"] == "reauthentication_required"


@pytest.mark.django_db
def test_without_a_recent_confirmation_nothing_starts(citizen):
    app = app_signed_in(citizen, confirmed=False)

    response = post(app, "/phone-change", {"phone": NEW_NUMBER, "lang": "en"})

    assert response.status_code == 403
    assert response.json() == {
        "code": "reauthentication_required",
        "message": "Please confirm it is you before making this change.",
        "fields": {},
    }
    assert not PhoneVerification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_changing_the_number_end_to_end(builtin_templates, outbox, citizen, clock):
    laptop = Client()
    assert laptop.login(phone=citizen.phone, password=CITIZEN_PASSWORD)
    app = app_signed_in(citizen)

    started = post(app, "/phone-change", {"phone": "0770 987 6543", "lang": "en"})

    assert started.status_code == 202
    ticket = started.json()["ticket"]
    state = started.json()["verification"]
    assert (state["phone_masked"], state["code_sent"], state["resend_in"]) == ("+964 770 ••• 6543", True, 30)
    assert app.get(f"{API}/phone-change", **{TICKET_HEADER: ticket}).json()["code_sent"] is True
    too_soon = post(app, "/phone-change/resend", {"ticket": ticket, "lang": "en"})
    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == "resend_not_yet"
    assert int(too_soon["Retry-After"]) == 30
    wrong = post(app, "/phone-change/verify", {"code": "000000"}, **{TICKET_HEADER: ticket})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "code_invalid")

    done = post(app, "/phone-change/verify", {"code": outbox.last_code(to=NEW_NUMBER)}, **{TICKET_HEADER: ticket})

    assert done.status_code == 200
    assert done.json() == {"status": "changed", "phone_masked": "+964 770 ••• 6543", "other_sessions_ended": 1}
    assert User.objects.get(pk=citizen.pk).phone == NEW_NUMBER
    [notice] = outbox.lines(to="+9647701234567")
    assert "6543" in notice["body"]
    assert laptop.get("/en/account/sessions/").status_code == 302
    assert app.get("/en/account/sessions/").status_code == 200
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.PHONE_CHANGED).count() == 1
    # The ticket is used up.
    again = app.get(f"{API}/phone-change", **{TICKET_HEADER: ticket})
    assert (again.status_code, again.json()["code"]) == (404, "verification_not_found")


def _answers(app: Client, number: str, outbox) -> tuple[list, object]:
    answers = []
    started = post(app, "/phone-change", {"phone": number})
    ticket = started.json()["ticket"]
    answers.append((started.status_code, {**started.json(), "ticket": "…"}))
    for response in (
        app.get(f"{API}/phone-change", **{TICKET_HEADER: ticket}),
        post(app, "/phone-change/resend", {"ticket": ticket}),
        post(app, "/phone-change/verify", {"ticket": ticket, "code": "000000"}),
    ):
        answers.append((response.status_code, response.json()))
    for _status, body in answers:
        if "verification" in body:
            body["verification"]["phone_masked"] = "…"
        body.pop("phone_masked", None)
    final = post(app, "/phone-change/verify", {"ticket": ticket, "code": outbox.last_code(to=number)})
    return answers, final


@pytest.mark.django_db(transaction=True)
def test_a_taken_number_gets_the_same_answers_until_its_code_is_proved(
    builtin_templates, outbox, citizen, other_citizen, clock
):
    third = person("c-third", "+9647511234567", "dates from Basra are sweet")

    taken, refused = _answers(app_signed_in(citizen), other_citizen.phone, outbox)
    free, accepted = _answers(app_signed_in(third, "dates from Basra are sweet"), "+9647809876543", outbox)

    assert taken == free
    assert accepted.status_code == 200
    assert refused.status_code == 409
    assert refused.json()["code"] == "phone_number_taken"
    assert User.objects.get(pk=citizen.pk).phone == "+9647701234567"
    assert User.objects.get(pk=other_citizen.pk).phone == "+9647801234567"
    assert outbox.lines(to="+9647701234567") == []


@pytest.mark.django_db
def test_nobody_can_use_another_persons_ticket(builtin_templates, citizen, other_citizen):
    theirs = post(app_signed_in(other_citizen, OTHER_PASSWORD), "/phone-change", {"phone": NEW_NUMBER})
    ticket = theirs.json()["ticket"]
    me = app_signed_in(citizen)
    before = list(PhoneVerification.objects.values_list("pk", "failed_attempts", "codes_sent", "status"))

    for response in (
        me.get(f"{API}/phone-change", **{TICKET_HEADER: ticket}),
        post(me, "/phone-change/resend", {"ticket": ticket}),
        post(me, "/phone-change/verify", {"ticket": ticket, "code": "000000"}),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "verification_not_found")
    assert list(PhoneVerification.objects.values_list("pk", "failed_attempts", "codes_sent", "status")) == before
    assert AccountSession.objects.filter(ended_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_missing_ticket_is_not_found(citizen):
    app = app_signed_in(citizen)
    assert app.get(f"{API}/phone-change").json()["code"] == "verification_not_found"
    assert post(app, "/phone-change/verify", {"code": "123456"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phone", "code"),
    [("12", "invalid_phone"), ("+44 7911 123456", "not_iraqi_mobile"), ("07701234567", "phone_unchanged")],
)
def test_a_number_that_cannot_be_used(citizen, phone, code):
    response = post(app_signed_in(citizen), "/phone-change", {"phone": phone, "lang": "en"})

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["phone"]


def test_the_openapi_document_describes_the_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()

    for path in ("/reauthenticate", "/phone-change", "/phone-change/resend", "/phone-change/verify"):
        assert f"/api/v1/accounts{path}" in document["paths"]
    verify = document["paths"]["/api/v1/accounts/phone-change/verify"]["post"]
    assert set(verify["responses"]) >= {"200", "400", "401", "403", "404", "409", "429"}
    assert verify["security"] == [{"SessionCookieAuth": []}]
