"""The account's home page: who you are, whether your number is confirmed, and where to go next."""

from django.urls import NoReverseMatch

from tests.accounts.profile.conftest import sign_in_url, url


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    home, sign_in = url("accounts:home"), sign_in_url()

    response = client.get(home)

    assert response.status_code == 302
    assert response["Location"] == f"{sign_in}?next={home}"


def test_the_home_page_shows_the_name_and_a_masked_number(citizen_client, citizen):
    response = citizen_client.get(url("accounts:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Your account</h1>" in page
    assert "Zainab Ali" in page
    assert '<bdi dir="ltr" aria-hidden="true">+964 770 ••• ••67</bdi>' in page
    assert '<span class="visually-hidden">Ending in 67</span>' in page
    assert "7701234567" not in page
    assert "Confirmed" in page
    assert "Not confirmed yet" not in page
    assert f'href="{url("accounts:profile")}"' in page
    assert f'href="{url("accounts:my_data")}"' in page
    assert "no-store" in response["Cache-Control"]


def test_an_unconfirmed_number_says_so(citizen_client, citizen):
    citizen.phone_verified_at = None
    citizen.save(update_fields=["phone_verified_at"])

    page = citizen_client.get(url("accounts:home")).content.decode()

    assert "Not confirmed yet" in page


def test_the_other_account_pages_are_linked_once_they_exist(citizen_client):
    """Pages from other parts of the accounts app appear when their routes exist and never break the page."""
    page = citizen_client.get(url("accounts:home")).content.decode()

    for name in ("accounts:security", "accounts:sessions", "accounts:password_change", "accounts:phone_change"):
        try:
            target = url(name)
        except NoReverseMatch:
            continue
        assert f'href="{target}"' in page


def test_each_person_sees_only_their_own_account(other_client, citizen, other_citizen):
    page = other_client.get(url("accounts:home")).content.decode()

    assert "Omar Hassan" in page
    assert "+964 780 ••• ••67" in page
    assert "Zainab Ali" not in page


def test_the_page_is_only_for_reading(citizen_client, citizen):
    response = citizen_client.post(url("accounts:home"))

    assert response.status_code == 405
