"""The registry through which other apps add their part of the download."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from bawaba.accounts.my_data import sections


def collect(user):
    return []


def other_collect(user):
    return {}


@pytest.fixture
def registry():
    yield sections
    for name in ("cases", "participation"):
        sections.unregister(name)


@pytest.mark.parametrize("name", ["account", "profile", "messages", "format", "exported_at", "Cases", "1st", "a-b", ""])
def test_reserved_or_malformed_names_are_refused(registry, name):
    with pytest.raises(ImproperlyConfigured):
        registry.register(name, collect)

    assert registry.registered_sections() == []


def test_registering_the_same_collector_twice_is_harmless(registry):
    registry.register("cases", collect)
    registry.register("cases", collect)

    assert registry.registered_sections() == [("cases", collect)]


def test_a_second_collector_cannot_take_a_name(registry):
    registry.register("cases", collect)

    with pytest.raises(ImproperlyConfigured):
        registry.register("cases", other_collect)

    assert registry.registered_sections() == [("cases", collect)]


def test_sections_keep_their_order(registry):
    registry.register("participation", other_collect)
    registry.register("cases", collect)

    assert [name for name, _collect in registry.registered_sections()] == ["participation", "cases"]
