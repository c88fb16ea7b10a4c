"""Sign-up's services: one account per number however it is written, resumes, and registered numbers."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bawaba.accounts.constants import VerificationPurpose, VerificationStatus
from bawaba.accounts.models import PhoneVerification, User, VerificationTicket
from bawaba.accounts.signup import services
from bawaba.accounts.signup.services import NextStep, signup_complete, signup_start
from bawaba.core.errors import ValidationFailed
from bawaba.notifications.recipients import normalise_phone
from tests.accounts.conftest import NEW_NUMBER

ADDRESS = "198.51.100.7"
PASSWORD = "green tea at the souq"

EASTERN_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@st.composite
def written_numbers(draw):
    """One Iraqi mobile number and a way a person might write it: prefix, separators, digits of any script."""
    national = draw(st.sampled_from("56789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    national = "7" + national
    prefix = draw(st.sampled_from(["0", "+964", "00964", "+964 ", "00964 ", "+964-", "(0)", "+964 (0)"]))
    groups = [national[:3], national[3:6], national[6:]]
    separator = draw(st.sampled_from(["", " ", "-", "  ", " - ", "."]))
    written = prefix + separator.join(groups)
    script = draw(st.sampled_from([None, EASTERN_ARABIC, PERSIAN]))
    if script is not None:
        written = written.translate(script)
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return f"+964{national}", f"{padding}{written}{padding}"


@given(written_numbers())
@settings(max_examples=300, deadline=None)
def test_every_usual_way_of_writing_a_number_gives_the_same_e164(case):
    expected, written = case
    assert normalise_phone(written, iraqi_mobile_only=True).address == expected


class _Undo(Exception):
    pass


@pytest.mark.django_db
@given(first=written_numbers(), second_format=st.integers(0, 10**6))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_two_ways_of_writing_a_number_lead_to_the_same_account(first, second_format):
    expected, written = first
    national = expected.removeprefix("+964")
    other_way = (f"0{national}" if second_format % 2 else f"+964 {national[:3]} {national[3:]}").translate(
        EASTERN_ARABIC if second_format % 3 == 0 else PERSIAN if second_format % 3 == 1 else str.maketrans("", "")
    )
    try:
        with transaction.atomic():
            a = signup_start(phone=written, full_name="Ali", password=PASSWORD, language="ar", client_address=ADDRESS)
            b = signup_start(phone=other_way, full_name="Ali", password=PASSWORD, language="ar", client_address=ADDRESS)
            assert a.verification.pk == b.verification.pk
            assert User.objects.filter(phone=expected).count() == 1
            assert User.objects.count() == 1
            raise _Undo
    except _Undo:
        pass


transactional = pytest.mark.django_db(transaction=True)


@transactional
def test_the_password_is_hashed_whichever_way_the_number_goes(citizen, monkeypatch):
    hashed = []
    real = services.make_password

    def counting(password):
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(services, "make_password", counting)
    signup_start(phone=NEW_NUMBER, full_name="Ali", password=PASSWORD, language="en", client_address=ADDRESS)
    signup_start(phone=citizen.phone, full_name="Ali", password=PASSWORD, language="en", client_address=ADDRESS)
    assert hashed == [PASSWORD, PASSWORD]


@transactional
def test_a_registered_number_starts_the_numbers_sign_up_and_changes_nothing(citizen, outbox):
    before = User.objects.values().get(pk=citizen.pk)
    started = signup_start(
        phone=citizen.phone, full_name="Someone Else", password=PASSWORD, language="en", client_address=ADDRESS
    )
    assert started.verification.purpose == VerificationPurpose.SIGNUP
    assert started.verification.user_id == citizen.pk
    assert User.objects.values().get(pk=citizen.pk) == before
    ticket = VerificationTicket.objects.get()
    assert (ticket.full_name, ticket.password) == ("", "")  # nothing of the sign-up form is kept for it
    proved = signup_complete(ticket=started.ticket, code=outbox.last_code())
    assert proved.next == NextStep.SET_PASSWORD
    assert User.objects.values().get(pk=citizen.pk) == before


@transactional
def test_resuming_keeps_the_account_and_applies_only_the_proving_tickets_choices(outbox):
    now = timezone.now()
    first = signup_start(
        phone=NEW_NUMBER, full_name="First Name", password=PASSWORD, language="ar", client_address=ADDRESS, now=now
    )
    second = signup_start(
        phone="07709876543",
        full_name="Second Name",
        password="another long phrase here",
        language="ckb",
        client_address=ADDRESS,
        now=now + dt.timedelta(seconds=40),
    )
    assert first.verification.pk == second.verification.pk
    user = User.objects.get()
    assert user.full_name == "First Name"  # nothing applied before a code is proved
    proved = signup_complete(ticket=second.ticket, code=outbox.codes()[0], now=now + dt.timedelta(seconds=60))
    assert proved.next == NextStep.SIGN_IN
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Second Name", "ckb")
    assert user.check_password("another long phrase here")
    assert PhoneVerification.objects.get().status == VerificationStatus.VERIFIED


@transactional
def test_every_wrong_field_is_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        signup_start(phone="12", full_name="", password="short", language="en", client_address=ADDRESS)
    assert set(refused.value.fields) == {"phone", "full_name", "password"}
    assert User.objects.count() == 0


@transactional
def test_a_password_with_the_number_in_it_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        signup_start(
            phone=NEW_NUMBER, full_name="Ali", password="my number 07709876543", language="en", client_address=ADDRESS
        )
    assert set(refused.value.fields) == {"password"}


@transactional
@pytest.mark.skipif("connection.vendor == 'sqlite'", reason="SQLite runs one writer at a time anyway")
def test_two_first_sign_ups_at_once_make_one_account():
    barrier = threading.Barrier(4)
    errors = []

    def go(index):
        try:
            barrier.wait()
            signup_start(
                phone=NEW_NUMBER,
                full_name=f"Person {index}",
                password=PASSWORD,
                language="ar",
                client_address=f"203.0.113.{index}",
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert User.objects.count() == 1
    assert PhoneVerification.objects.count() == 1
    assert VerificationTicket.objects.count() == 4


@transactional
def test_the_insert_race_resumes_the_rivals_account(monkeypatch):
    """The rival's account commits between our look (which saw none) and our insert."""
    rival = User.objects.create(username="c-rival", phone=NEW_NUMBER, full_name="Rival")
    real_filter = User.objects.select_for_update
    looks = []

    def too_early(*args, **kwargs):
        looks.append(1)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(looks) == 1 else queryset

    monkeypatch.setattr(User.objects, "select_for_update", too_early)
    started = signup_start(phone=NEW_NUMBER, full_name="Ali", password=PASSWORD, language="ar", client_address=ADDRESS)
    assert started.verification.user_id == rival.pk
    assert User.objects.count() == 1
