"""The development outbox page: absent unless dev pages are on, checked on every request; lists what was "sent"."""

import re

import pytest
from django.test import Client

from bawaba.notifications.services import send

LANGUAGES = ("ar", "ckb", "en")


def outbox_url(language="en"):
    return f"/{language}/dev/outbox/"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_does_not_exist_outside_development(settings, language):
    settings.BAWABA_NOTIFY_DEV_PAGES = False
    assert Client().get(outbox_url(language)).status_code == 404


@pytest.mark.django_db
def test_the_setting_is_read_on_every_request(settings):
    client = Client()
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    assert client.get(outbox_url()).status_code == 200
    settings.BAWABA_NOTIFY_DEV_PAGES = False
    assert client.get(outbox_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_lists_the_latest_messages_newest_first(settings):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    send("verification_code", to="0770 123 4567", values={"code": "482913", "minutes": 5}, language="en")
    send("provider_test", to="0750 123 4567", values={"provider": "outbox"}, language="en")

    response = Client().get(outbox_url())
    assert response.status_code == 200
    page = response.content.decode()
    first, second = page.index("+9647501234567"), page.index("+9647701234567")
    assert first < second  # the newer message comes first
    assert "Your Bawaba code is 482913." in page  # what a developer comes here for
    assert "Test message from Bawaba (outbox)." in page
    assert "verification_code" in page
    assert "SMS" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)
    assert "Development page." in page


@pytest.mark.django_db(transaction=True)
def test_an_e_mail_shows_its_subject(settings, email_template):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    send("case_update", to="layla@example.org", values={"code": "C-7", "state": "closed"}, language="en")
    page = Client().get(outbox_url()).content.decode()
    assert "Update on your request C-7" in page
    assert "E-mail" in page


@pytest.mark.django_db
def test_an_empty_outbox_says_so(settings):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    page = Client().get(outbox_url()).content.decode()
    assert "The outbox is empty" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("ckb", "rtl"), ("en", "ltr")])
def test_every_language_with_its_direction_no_script_and_not_indexed(settings, language, direction):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    response = Client().get(outbox_url(language))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert "<script" not in page
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_no_public_page_links_to_it(settings):
    settings.BAWABA_NOTIFY_DEV_PAGES = True
    for url in ("/ar/", "/en/", "/en/departments/"):
        response = Client().get(url, follow=True)
        assert response.status_code == 200, url
        assert "dev/outbox" not in response.content.decode()
