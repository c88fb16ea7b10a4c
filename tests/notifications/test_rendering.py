"""((placeholders)) are filled as plain text; nothing in a value is interpreted."""

import pytest

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.models import MessageTemplate
from bawaba.notifications.rendering import render, template_placeholders


@pytest.fixture
def template(db):
    return MessageTemplate(
        name="t", channel="sms", body_ar="مرحبا ((name))، رمزك (( code ))", body_en="Hi ((name)), ((code))"
    )


def test_values_fill_every_placeholder(template):
    assert render(template, {"name": "زينب", "code": 42}, "ar").body == "مرحبا زينب، رمزك 42"


def test_values_are_not_templates_themselves(template):
    rendered = render(template, {"name": "((code)) {0} %(x)s", "code": "1"}, "en")
    assert rendered.body == "Hi ((code)) {0} %(x)s, 1"


def test_all_placeholders_of_all_languages_are_known(template):
    assert template_placeholders(template) == {"name", "code"}


def test_unknown_language_falls_back_to_arabic(template):
    assert render(template, {"name": "a", "code": "b"}, "fr").language == "ar"


def test_overlong_values_are_refused(template):
    with pytest.raises(ValidationFailed) as raised:
        render(template, {"name": "x" * 501, "code": "1"}, "ar")
    assert raised.value.code == "value_too_long"
