"""The one call other apps use: checks first, stores with the business event, sends after commit."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.constants import Status
from bawaba.notifications.models import Message
from bawaba.notifications.selectors import public_status
from bawaba.notifications.services import send

pytestmark = pytest.mark.django_db(transaction=True)

CODE = {"code": "482913", "minutes": 5}


def test_urgent_code_reaches_the_outbox_in_the_recipients_language(outbox_lines):
    message = send("verification_code", to="0770 123 4567", values=CODE, priority="urgent", language="ckb")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.recipient == "+9647701234567"
    assert message.operator == "asiacell"
    [line] = outbox_lines()
    assert line["message_id"] == str(message.pk)
    assert line["to"] == "+9647701234567"
    assert line["channel"] == "sms"
    assert "482913" in line["body"]
    assert "خولەک" in line["body"]
    assert line["created_at"]
    assert message.expires_at is not None  # urgent messages always expire


def test_one_time_code_is_erased_from_the_database_once_handed_over():
    message = send("verification_code", to="+9647501234567", values=CODE, priority="urgent")
    message.refresh_from_db()
    assert message.redacted
    assert message.body == ""


@pytest.mark.parametrize("number", ["٠٧٧٠١٢٣٤٥٦٧", "+964 770 123 4567", "009647701234567", "07701234567"])
def test_every_way_of_writing_a_number_means_the_same_number(number):
    assert send("provider_test", to=number, values={"provider": "x"}).recipient == "+9647701234567"


@pytest.mark.parametrize(
    ("template", "to", "values", "code"),
    [
        ("no_such_template", "07701234567", {}, "unknown_template"),
        ("verification_code", "12", CODE, "invalid_phone"),
        ("verification_code", "0770123", CODE, "invalid_phone"),
        ("verification_code", "07701234567", {"code": "1"}, "missing_values"),
        ("case_update", "not-an-address", {"code": "A", "state": "x"}, "invalid_email"),
    ],
)
def test_bad_input_is_refused_before_anything_is_stored(email_template, template, to, values, code):
    with pytest.raises(ValidationFailed) as raised:
        send(template, to=to, values=values)
    assert raised.value.code == code
    assert not Message.objects.exists()


def test_missing_values_are_named():
    with pytest.raises(ValidationFailed) as raised:
        send("verification_code", to="07701234567", values={})
    assert set(raised.value.fields) == {"code", "minutes"}


def test_a_foreign_mobile_is_refused_only_where_iraqi_mobiles_are_required():
    assert send("provider_test", to="+447911123456", values={"provider": "x"}).recipient == "+447911123456"
    with pytest.raises(ValidationFailed) as raised:
        send("provider_test", to="+447911123456", values={"provider": "x"}, iraqi_mobile_only=True)
    assert raised.value.code == "not_iraqi_mobile"


def test_a_message_expiring_before_it_is_stored_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        send("verification_code", to="07701234567", values=CODE, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert raised.value.code == "already_expired"


def test_nothing_is_sent_from_inside_the_transaction_and_nothing_if_it_rolls_back(outbox_lines):
    with transaction.atomic():
        message = send("verification_code", to="07701234567", values=CODE, priority="urgent")
        assert outbox_lines() == []  # still inside the business transaction
        assert Message.objects.get(pk=message.pk).status == Status.CREATED
    assert len(outbox_lines()) == 1

    class Abort(Exception):
        pass

    def store_then_fail():
        with transaction.atomic():
            send("verification_code", to="07701234567", values=CODE, priority="urgent")
            raise Abort

    with pytest.raises(Abort):
        store_then_fail()
    assert len(outbox_lines()) == 1
    assert Message.objects.count() == 1


def test_email_uses_subject_and_falls_back_to_another_language(email_template, outbox_lines):
    message = send("case_update", to="Citizen@Example.IQ", values={"code": "K7P", "state": "done"}, language="ckb")
    assert message.recipient == "Citizen@example.iq"
    assert message.language == "ar"  # no Kurdish text yet: Arabic, the portal's first language
    [line] = outbox_lines()
    assert line["subject"] == "تحديث على طلبك K7P"


def test_public_status_speaks_plainly():
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    status = public_status(message.pk)
    assert status is not None
    assert status.code == "sent"
    assert public_status("6f1c1d8e-0000-4000-8000-000000000000") is None
