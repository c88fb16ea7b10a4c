"""Signed-in clients for the account home and profile tests."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import GovernorateFactory


def url(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name)


def sign_in_url() -> str:
    return url("accounts:sign_in")


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def other_client(other_citizen) -> Client:
    client = Client()
    client.force_login(other_citizen)
    return client


@pytest.fixture
def baghdad(db):
    return GovernorateFactory(iso_code="IQ-BG", name_ar="بغداد", name_ckb="بەغدا", name_en="Baghdad")


@pytest.fixture
def basra(db):
    return GovernorateFactory(iso_code="IQ-BA", name_ar="البصرة", name_ckb="بەسرە", name_en="Basra")
