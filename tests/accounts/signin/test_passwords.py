"""Password rules: Argon2id at OWASP's parameters, and the validators named in AUTH_PASSWORD_VALIDATORS."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, make_password
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from bawaba.accounts.models import User


def _codes(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return [item.code for item in error.error_list]
    return []


def _parameters(encoded: str) -> tuple[str, ...]:
    algorithm, variety, version, parameters, _salt, _hash = encoded.split("$")
    return algorithm, variety, version, parameters


def test_a_new_hash_is_argon2id_at_owasp_parameters():
    assert _parameters(make_password("rain over Basra 1987")) == ("argon2", "argon2id", "v=19", "m=19456,t=2,p=1")


@pytest.mark.parametrize("old_hasher", [PBKDF2PasswordHasher, Argon2PasswordHasher])
def test_an_older_hash_still_verifies_and_is_rewritten_at_owasp_parameters(db, old_hasher):
    hasher = old_hasher()
    user = User.objects.create(
        username="c-old", phone="+9647701234567", password=hasher.encode("rain over Basra 1987", hasher.salt())
    )
    assert "m=19456,t=2,p=1" not in user.password
    assert user.check_password("rain over Basra 1987") is True
    user.refresh_from_db()
    assert _parameters(user.password) == ("argon2", "argon2id", "v=19", "m=19456,t=2,p=1")
    assert user.check_password("rain over Basra 1987") is True


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "PASSWORD123",  # case is ignored
        "Qwertyuiop",
        "1q2w3e4r5t",
        "12345678",
        "١٢٣٤٥٦٧٨",  # Eastern Arabic digits are the same digits
        "۱۲۳۴۵۶۷۸",  # and Persian ones
        "baghdad2024",
        "Baghdad٢٠٢٤",
        "  iloveyou  ",  # surrounding spaces are ignored for the comparison
        "ياعلي123",
        "00000000",
        "07701234567",
        "+9647801111111",
        "0790 555 4321",  # any Iraqi mobile number, in any format
        "٠٧٥٠٩٨٧٦٥٤٣",
    ],
)
def test_common_and_breached_passwords_are_refused(db, password):
    assert _codes(password) == ["password_too_common"]


@pytest.mark.parametrize("password", ["rain over Basra 1987", "tea with cardamom at dawn", "شاي بالهيل عند الفجر"])
def test_a_long_phrase_is_accepted(db, password):
    assert _codes(password) == []


def test_length_between_8_and_128(db):
    assert _codes("q7#vLp2") == ["password_too_short"]
    assert _codes("q7#vLp2z") == []
    assert _codes("q7#vLp2z" * 16) == []
    assert _codes("q7#vLp2z" * 16 + "x") == ["password_too_long"]


@pytest.mark.parametrize(
    "password",
    [
        "+9647701234567",
        "mine 0770 123 4567",
        "770-123-4567 home",
        "٠٧٧٠١٢٣٤٥٦٧",
        "zainab1234567",  # the last seven digits
        "1234567zainab",
    ],
)
def test_the_persons_own_phone_number_is_refused(db, password):
    user = User(phone="+9647701234567", full_name="Zainab Ali")
    assert "password_is_phone_number" in _codes(password, user=user)


def test_six_digits_of_the_number_are_not_enough_to_refuse(db):
    user = User(phone="+9647701234567", full_name="Zainab Ali")
    assert _codes("my cat 234567 sleeps", user=user) == []


@pytest.mark.parametrize("password", ["Zainab1990!", "ZAINABALI", "ali hassan 2024", "Zainab Ali Hassan"])
def test_the_persons_name_is_refused(db, password):
    user = User(phone="+9647701234567", full_name="Zainab Ali Hassan")
    assert _codes(password, user=user) == ["password_is_name"]


def test_a_name_in_arabic_script_is_refused_in_any_spelling(db):
    user = User(phone="+9647701234567", full_name="فاطمة الزهراء")
    assert _codes("فاطمه٢٠٠٥٢٠٠٥", user=user) == ["password_is_name"]


def test_a_phrase_that_mentions_the_name_is_accepted(db):
    user = User(phone="+9647701234567", full_name="Zainab Ali")
    assert _codes("Zainab grows mint on the roof", user=user) == []


def test_help_texts_are_plain(db):
    with translation.override("en"):
        texts = password_validators_help_texts()
    assert texts == [
        "Your password must contain at least 8 characters.",
        "At most 128 characters.",
        "Not a password many people use, such as 12345678 or a phone number.",
        "Not your name or your phone number.",
    ]
