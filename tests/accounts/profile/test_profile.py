"""The profile form: every answer optional and explained, consent timestamped, history without values."""

import datetime as dt
import json

import pytest

from bawaba.accounts.constants import AccountEventKind
from bawaba.accounts.models import AccountEvent, Profile
from bawaba.accounts.profile.services import ProfileChanges, latest_birth_year, profile_update
from bawaba.core.errors import ValidationFailed
from tests.accounts.profile.conftest import sign_in_url, url

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def full_answers(place, **overrides):
    data = {
        "full_name": "Zainab Ali Hussein",
        "governorate": str(place.pk),
        "district": "Karkh",
        "gender": "female",
        "birth_year": "1990",
        "disability": "seeing",
        "preferred_language": "ckb",
        "preferred_channel": "email",
        "email": "zainab@example.org",
        "statistics_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def changes(**values):
    """The citizen fixture's name and language, and whatever a test changes."""
    return ProfileChanges(**{"full_name": "Zainab Ali", "preferred_language": "ar", **values})


def profile_events(user):
    return list(AccountEvent.objects.filter(user=user, kind=AccountEventKind.PROFILE_CHANGED))


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_saved(client, citizen, baghdad):
    profile, sign_in = url("accounts:profile"), sign_in_url()

    response = client.post(profile, full_answers(baghdad))

    assert response.status_code == 302
    assert response["Location"] == f"{sign_in}?next={profile}"
    assert not Profile.objects.exists()
    assert AccountEvent.objects.count() == 0


def test_the_form_explains_every_question_and_creates_nothing_on_a_visit(citizen_client, citizen, baghdad):
    response = citizen_client.get(url("accounts:profile"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Your profile</h1>" in page
    for hint in (
        "Helps us show offices near you",
        "at most 100 characters",
        "Helps check that services reach women and men alike.",
        "Only the year, as four digits, from 1900 to",
        "These are the questions national surveys ask.",
        "The language of the SMS messages we send you.",
        "Codes for signing in are always sent to your mobile number.",
        "We have not checked this address yet, so it is not used to sign in or to send codes.",
        "Count these answers (never my name or number) in participation statistics",
        "You can change your mind at any time.",
    ):
        assert hint in page
    # Hints are tied to their inputs for screen readers.
    assert 'aria-describedby="id_district_helptext"' in page
    assert 'autocomplete="name"' in page
    assert 'inputmode="numeric"' in page
    assert 'value="Zainab Ali"' in page
    assert not Profile.objects.exists()


def test_saving_every_answer(citizen_client, citizen, baghdad):
    response = citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    assert response.status_code == 302
    assert response["Location"] == url("accounts:profile")
    profile = Profile.objects.get(user=citizen)
    assert profile.governorate == baghdad
    assert profile.district == "Karkh"
    assert profile.gender == "female"
    assert profile.birth_year == 1990
    assert profile.disability == "seeing"
    assert profile.preferred_channel == "email"
    assert profile.email == "zainab@example.org"
    assert profile.email_verified_at is None
    assert profile.statistics_consent is True
    assert profile.statistics_consent_at is not None
    citizen.refresh_from_db()
    assert citizen.full_name == "Zainab Ali Hussein"
    assert citizen.preferred_language == "ckb"
    assert "Your profile is saved." in citizen_client.get(url("accounts:profile")).content.decode()


def test_the_history_names_the_changed_fields_never_their_values(citizen_client, citizen, baghdad):
    citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    [event] = profile_events(citizen)
    assert event.data == {
        "fields": [
            "full_name",
            "preferred_language",
            "governorate",
            "district",
            "gender",
            "birth_year",
            "disability",
            "preferred_channel",
            "email",
            "statistics_consent",
        ]
    }
    stored = json.dumps(event.data)
    for value in ("Karkh", "1990", "zainab@example.org", "Hussein", "seeing"):
        assert value not in stored


def test_everything_may_be_left_empty_but_the_name(citizen_client, citizen):
    response = citizen_client.post(url("accounts:profile"), {"full_name": "Zainab Ali"})

    assert response.status_code == 302
    profile = Profile.objects.get(user=citizen)
    assert (profile.governorate, profile.district, profile.gender, profile.birth_year) == (None, "", "", None)
    assert (profile.disability, profile.preferred_channel, profile.email) == ("", "", "")
    assert profile.statistics_consent is False
    assert profile.statistics_consent_at is None
    citizen.refresh_from_db()
    assert citizen.preferred_language == ""
    assert profile_events(citizen)[0].data == {"fields": ["preferred_language"]}


def test_saving_the_same_answers_again_writes_no_history(citizen_client, citizen, baghdad):
    citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    assert len(profile_events(citizen)) == 1
    assert "Nothing was changed in your profile." in citizen_client.get(url("accounts:profile")).content.decode()


def test_the_saved_answers_are_shown_again(citizen_client, citizen, baghdad):
    citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    page = citizen_client.get(url("accounts:profile")).content.decode()

    assert 'value="Karkh"' in page
    assert 'value="1990"' in page
    assert f'<option value="{baghdad.pk}" selected>Baghdad</option>' in page
    assert 'value="female" id="id_gender_1" checked' in page
    assert 'id="id_preferred_language_2" checked><span lang="ckb" dir="auto">کوردی</span>' in page
    assert (
        '<input type="checkbox" name="statistics_consent" aria-describedby="id_statistics_consent_helptext"'
        ' id="id_statistics_consent" checked>'
    ) in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter your full name."),
        ("full_name", "   ", "Enter your full name."),
        ("full_name", "x" * 151, "Use at most 150 characters."),
        ("full_name", "Zainab\x07Ali", "Use only letters, spaces and ordinary punctuation."),
        ("full_name", "Zainab \u202eilA", "Use only letters, spaces and ordinary punctuation."),
        ("district", "d" * 101, "Use at most 100 characters."),
        ("birth_year", "1899", "Enter a year between 1900 and"),
        ("birth_year", "19a0", "Enter the year as four digits, like 1990."),
        ("birth_year", "90", "Enter the year as four digits, like 1990."),
        ("gender", "other", "Select a valid choice."),
        ("disability", "unknown", "Select a valid choice."),
        ("preferred_language", "fr", "Select a valid choice."),
        ("email", "not-an-address", "Enter an e-mail address like name@example.com, or leave it empty."),
        ("governorate", "999999", "Select a valid choice."),
    ],
)
def test_a_wrong_answer_is_explained_and_nothing_is_saved(citizen_client, citizen, baghdad, field, value, message):
    response = citizen_client.post(url("accounts:profile"), full_answers(baghdad, **{field: value}))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert message in page
    assert f'id="id_{field}_error"' in page
    # What was typed stays, so nobody types it twice.
    assert 'value="Karkh"' in page or field == "district"
    assert not Profile.objects.exists()
    assert profile_events(citizen) == []
    citizen.refresh_from_db()
    assert citizen.full_name == "Zainab Ali"


def test_a_birth_year_after_the_youngest_allowed_is_refused(citizen_client, citizen, baghdad):
    too_young = str(latest_birth_year() + 1)

    response = citizen_client.post(url("accounts:profile"), full_answers(baghdad, birth_year=too_young))

    assert response.status_code == 400
    assert f"Enter a year between 1900 and {latest_birth_year()}." in response.content.decode()
    assert not Profile.objects.exists()


def test_the_youngest_and_oldest_years_are_accepted(citizen):
    today = dt.date(2026, 5, 1)

    for year in (1900, 2011):
        profile_update(user=citizen, changes=changes(birth_year=year), now=NOW)
        assert Profile.objects.get(user=citizen).birth_year == year
    assert latest_birth_year(today=today) == 2011


def test_eastern_arabic_digits_are_read_as_a_year(citizen_client, citizen, baghdad):
    response = citizen_client.post(url("accounts:profile"), full_answers(baghdad, birth_year="١٩٩٠"))

    assert response.status_code == 302
    assert Profile.objects.get(user=citizen).birth_year == 1990


def test_a_name_keeps_the_joiners_kurdish_needs(citizen):
    profile_update(user=citizen, changes=ProfileChanges(full_name="  دڵنیا\u200cی   ئەحمەد "), now=NOW)

    citizen.refresh_from_db()
    assert citizen.full_name == "دڵنیا\u200cی ئەحمەد"


def test_email_as_preferred_channel_needs_an_address(citizen_client, citizen, baghdad):
    response = citizen_client.post(url("accounts:profile"), full_answers(baghdad, email=""))

    assert response.status_code == 400
    assert "Add your e-mail address below, or choose another way to reach you." in response.content.decode()
    assert not Profile.objects.exists()


def test_consent_is_timestamped_when_given_kept_while_kept_and_cleared_when_withdrawn(citizen):
    times = [NOW + dt.timedelta(days=n) for n in range(4)]

    profile_update(user=citizen, changes=changes(statistics_consent=True), now=times[0])
    assert Profile.objects.get(user=citizen).statistics_consent_at == times[0]

    profile_update(
        user=citizen,
        changes=changes(statistics_consent=True, district="Karkh"),
        now=times[1],
    )
    assert Profile.objects.get(user=citizen).statistics_consent_at == times[0]

    profile_update(user=citizen, changes=changes(statistics_consent=False), now=times[2])
    profile = Profile.objects.get(user=citizen)
    assert (profile.statistics_consent, profile.statistics_consent_at) == (False, None)

    profile_update(user=citizen, changes=changes(statistics_consent=True), now=times[3])
    assert Profile.objects.get(user=citizen).statistics_consent_at == times[3]
    assert [event.data["fields"] for event in reversed(profile_events(citizen))] == [
        ["statistics_consent"],
        ["district"],
        ["district", "statistics_consent"],
        ["statistics_consent"],
    ]


def test_withdrawing_consent_through_the_form(citizen_client, citizen, baghdad):
    citizen_client.post(url("accounts:profile"), full_answers(baghdad))

    citizen_client.post(url("accounts:profile"), full_answers(baghdad, statistics_consent=None))

    profile = Profile.objects.get(user=citizen)
    assert (profile.statistics_consent, profile.statistics_consent_at) == (False, None)


def test_a_new_email_address_is_unverified_again(citizen):
    profile_update(user=citizen, changes=changes(email="a@example.org"), now=NOW)
    Profile.objects.filter(user=citizen).update(email_verified_at=NOW)

    profile_update(user=citizen, changes=changes(email="b@example.org"), now=NOW)

    profile = Profile.objects.get(user=citizen)
    assert (profile.email, profile.email_verified_at) == ("b@example.org", None)


def test_the_same_email_address_stays_verified(citizen):
    profile_update(user=citizen, changes=changes(email="a@example.org"), now=NOW)
    Profile.objects.filter(user=citizen).update(email_verified_at=NOW)

    profile_update(user=citizen, changes=changes(email="a@example.org", gender="female"))

    assert Profile.objects.get(user=citizen).email_verified_at == NOW


def test_the_service_refuses_what_the_form_would_and_names_every_field(citizen):
    with pytest.raises(ValidationFailed) as raised:
        profile_update(
            user=citizen,
            changes=ProfileChanges(full_name="", birth_year=1850, gender="x", preferred_channel="email"),
            now=NOW,
        )

    assert sorted(raised.value.fields) == ["birth_year", "full_name", "gender", "preferred_channel"]
    assert not Profile.objects.exists()
    assert AccountEvent.objects.count() == 0


def test_one_person_saving_never_touches_another(other_client, citizen, other_citizen, baghdad):
    profile_update(user=citizen, changes=changes(district="Karkh"), now=NOW)

    other_client.post(url("accounts:profile"), full_answers(baghdad, full_name="Omar Hassan", district="Zubair"))

    assert Profile.objects.get(user=citizen).district == "Karkh"
    assert Profile.objects.get(user=other_citizen).district == "Zubair"
    citizen.refresh_from_db()
    assert citizen.full_name == "Zainab Ali"
    assert len(profile_events(citizen)) == 1


def test_the_page_in_arabic_keeps_the_form_working(citizen_client, citizen, baghdad):
    response = citizen_client.post(url("accounts:profile", "ar"), full_answers(baghdad, birth_year="1850"))

    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert 'id="id_birth_year_error"' in page
    assert 'aria-invalid="true"' in page
