"""SMS over SMPP 3.4 through the real send() service, against a real test SMSC on a local socket."""

import datetime as dt
import json
import struct
import threading
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from smpplib import consts

from bawaba.notifications.constants import FailureKind, Outcome, ReceiptStatus, Status
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message, MessageTemplate
from bawaba.notifications.providers.base import OutgoingMessage
from bawaba.notifications.providers.config import get_provider, reset_providers
from bawaba.notifications.providers.smpp import SmppProvider
from bawaba.notifications.services import send
from bawaba.notifications.sms import sms_length
from bawaba.notifications.tasks import deliver_message
from tests.peers.smsc import TestSmsc

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Xq7!pz4"
LONG_ARABIC = (
    "عزيزي المواطن، تم استلام طلب تجديد جواز السفر الخاص بك وهو الآن قيد المراجعة في مديرية الجوازات. "
    "يرجى مراجعة المكتب خلال سبعة أيام مع المستمسكات الأصلية ونسخة من البطاقة الوطنية الموحدة."
)
# "[" is two septets (escape + character): here the escape falls on the last octet of the first part.
LONG_ENGLISH = "A" * 152 + "[ref] " + "Your request is ready for collection at the passport office. " * 2


def smpp(name, smsc, weight=100, **options):
    return {
        "name": name,
        "kind": "smpp",
        "channels": ["sms"],
        "weight": weight,
        "options": {
            "host": "127.0.0.1",
            "port": smsc.port,
            "system_id": "bawaba",
            "password": PASSWORD,
            "source_addr": "Bawaba",
            **options,
        },
    }


OUTBOX_STANDBY = {"name": "outbox", "kind": "outbox", "channels": ["sms"], "weight": 0}


def expect_receipts(smsc, stat="DELIVRD", delay=0.0, **behaviour):
    """Have the SMSC send receipts.

    SQLite's shared in-memory test database fails, rather than waits, when two threads write at once,
    so on SQLite a receipt comes once the test thread's own writes are done. On PostgreSQL it comes at
    once, as fast SMSCs send them: often before delivery has written "sent".
    """
    smsc.receipt_stat = stat
    smsc.receipt_delay = max(delay, 0.3 if connection.vendor == "sqlite" else 0.0)
    for name, value in behaviour.items():
        setattr(smsc, name, value)


def eventually(check, timeout=10.0):
    """Poll until `check()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except OperationalError:  # SQLite's test database: a table locked by the receipt thread
            result = False
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {check}")
        time.sleep(0.05)


def status_of(message):
    return Message.objects.get(pk=message.pk).status


def peer_threads():
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(("smpp-", "smsc-"))]


@pytest.fixture(autouse=True)
def _nothing_left_running():
    yield
    eventually(lambda: not peer_threads(), timeout=5)


@pytest.fixture
def smsc():
    with TestSmsc(system_id="bawaba", password=PASSWORD) as peer:
        yield peer


@pytest.fixture
def use_providers(settings):
    # Long messages' part ids are shared through the cache; LocMem keeps another test's between tests.
    cache.clear()

    def configure(*providers):
        settings.BAWABA_NOTIFY_PROVIDERS = list(providers)

    yield configure
    reset_providers()  # unbind while the SMSCs are still there


@pytest.fixture
def sms_template(db):
    def make(name, *, body_ar="", body_en="", sensitive=False):
        return MessageTemplate.objects.create(
            name=name, channel="sms", body_ar=body_ar or body_en, body_en=body_en, sensitive=sensitive
        )

    return make


# binding


def test_binds_with_the_operators_credentials_and_sends_arabic_as_ucs2(smsc, use_providers):
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="0770 123 4567", values={"provider": "آسياسيل"}, language="ar")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider == "asiacell"
    [bind] = smsc.binds
    assert (bind.command, bind.system_id, bind.status) == ("bind_transceiver", "bawaba", consts.SMPP_ESME_ROK)
    [received] = smsc.messages
    assert received.text == message.body == "رسالة اختبار من بوابة (آسياسيل)."
    assert received.data_coding == consts.SMPP_ENCODING_ISO10646
    assert received.destination == "9647701234567"
    [part] = received.parts
    assert (part.dest_addr_ton, part.dest_addr_npi) == (1, 1)
    assert (part.source_addr, part.source_addr_ton, part.source_addr_npi) == ("Bawaba", 5, 0)
    assert part.registered_delivery == 1
    assert part.esm_class == 0
    assert message.provider_reference == part.message_id


def test_a_wrong_password_is_refused_and_nothing_is_sent_or_logged(smsc, use_providers, caplog):
    caplog.set_level("DEBUG")
    wrong = "N0tIt!"
    use_providers(smpp("asiacell", smsc, password=wrong))
    message = send("provider_test", to="07701234567", values={"provider": "x"}, priority="urgent")
    assert status_of(message) == Status.QUEUED  # waits for its next round
    [attempt] = Attempt.objects.filter(message=message)
    assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, "smpp_bind_refused")
    assert [bind.status for bind in smsc.binds] == [consts.SMPP_ESME_RINVPASWD]
    assert smsc.parts == []
    assert wrong not in caplog.text
    assert PASSWORD not in caplog.text


def test_options_are_checked_when_the_provider_is_built():
    with pytest.raises(ImproperlyConfigured, match="system_id"):
        SmppProvider("asiacell", {"host": "127.0.0.1"})
    with pytest.raises(ImproperlyConfigured, match="at most 8"):
        SmppProvider("asiacell", {"host": "127.0.0.1", "system_id": "bawaba", "password": "far-too-long"})
    with pytest.raises(ImproperlyConfigured, match="bind"):
        SmppProvider("asiacell", {"host": "127.0.0.1", "system_id": "bawaba", "bind": "sideways"})
    with pytest.raises(ImproperlyConfigured, match="ASCII"):
        SmppProvider("asiacell", {"host": "127.0.0.1", "system_id": "bawaba", "source_addr": "بوابة"})
    with pytest.raises(ImproperlyConfigured, match="validity_period must be true or false"):
        SmppProvider("asiacell", {"host": "127.0.0.1", "system_id": "bawaba", "validity_period": "false"})


def test_the_templates_sender_is_used_when_it_can_be_an_smpp_address(smsc, use_providers, sms_template):
    for name, sender in [("from_name", "UrPortal"), ("from_short_code", "4455"), ("from_arabic_name", "بوابة")]:
        template = sms_template(name, body_en="Hello")
        template.sender = sender
        template.save()
    use_providers(smpp("asiacell", smsc))
    for name in ("from_name", "from_short_code", "from_arabic_name"):
        send(name, to="07701234567", language="en")
    assert [(part.source_addr, part.source_addr_ton, part.source_addr_npi) for part in smsc.parts] == [
        ("UrPortal", 5, 0),
        ("4455", 0, 1),
        ("Bawaba", 5, 0),  # the configured default: SMSCs take no Arabic sender names
    ]


# encoding


def test_a_long_arabic_message_arrives_whole_in_concatenated_parts(smsc, use_providers, sms_template):
    sms_template("passport_ready", body_ar=LONG_ARABIC)
    use_providers(smpp("asiacell", smsc))
    message = send("passport_ready", to="07701234567", language="ar")
    message.refresh_from_db()
    assert message.status == Status.SENT
    [received] = smsc.messages
    assert received.text == LONG_ARABIC
    assert len(received.parts) == sms_length(LONG_ARABIC).parts == 3
    assert {part.data_coding for part in received.parts} == {consts.SMPP_ENCODING_ISO10646}
    assert {part.esm_class for part in received.parts} == {consts.SMPP_GSMFEAT_UDHI}
    assert [part.concatenation[1:] for part in received.parts] == [(3, 1), (3, 2), (3, 3)]
    assert len({part.concatenation[0] for part in received.parts}) == 1
    assert [part.registered_delivery for part in received.parts] == [0, 0, 1]
    assert message.provider_reference == received.message_ids[0]


def test_english_goes_as_gsm7_and_no_character_is_cut_between_parts(smsc, use_providers, sms_template):
    sms_template("collection", body_en=LONG_ENGLISH)
    sms_template("fee", body_en="Fee: 25,000 IQD {paid} €")
    use_providers(smpp("asiacell", smsc))
    send("collection", to="07701234567", language="en")
    send("fee", to="07701234567", language="en")
    long, short = smsc.messages
    assert long.text == LONG_ENGLISH
    assert len(long.parts) == sms_length(LONG_ENGLISH).parts == 2
    assert short.text == "Fee: 25,000 IQD {paid} €"
    assert [part.data_coding for part in long.parts + short.parts] == [consts.SMPP_ENCODING_DEFAULT] * 3


# validity period


@pytest.mark.parametrize(
    ("expiry", "validity_period"),
    [
        pytest.param({"priority": "urgent"}, "000000001000000R", id="urgent-ttl-10-minutes"),
        pytest.param({"expires_in": 30}, "000000000100000R", id="at-least-a-minute"),
        pytest.param({"expires_in": 90}, "000000000200000R", id="minutes-rounded-up"),
        pytest.param(
            {"expires_in": dt.timedelta(days=2, hours=3, minutes=4, seconds=30)}, "000002030500000R", id="days"
        ),
        pytest.param({"expires_in": dt.timedelta(days=31)}, "", id="beyond-30-days-the-smscs-default"),
        pytest.param({}, "", id="no-expiry"),
    ],
)
def test_a_message_that_expires_tells_the_smsc_when_to_stop_trying(
    smsc, use_providers, settings, expiry, validity_period
):
    settings.BAWABA_NOTIFY_URGENT_TTL = 600
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"}, **expiry)
    assert status_of(message) == Status.SENT
    [part] = smsc.parts
    assert part.validity_period == validity_period


def test_every_part_of_a_long_message_expires_together(smsc, use_providers, sms_template):
    sms_template("passport_ready", body_ar=LONG_ARABIC)
    use_providers(smpp("asiacell", smsc))
    send("passport_ready", to="07701234567", language="ar", expires_in=dt.timedelta(hours=1))
    [received] = smsc.messages
    assert [part.validity_period for part in received.parts] == ["000000010000000R"] * 3


def test_validity_period_false_for_smscs_that_refuse_one(smsc, use_providers, settings):
    settings.BAWABA_NOTIFY_URGENT_TTL = 600
    smsc.reject_validity_period = True  # this SMSC answers any validity_period with 0x62
    use_providers(smpp("asiacell", smsc, validity_period=False))
    message = send("verification_code", to="07701234567", values={"code": "482913", "minutes": 5}, priority="urgent")
    message.refresh_from_db()
    assert (message.status, message.provider) == (Status.SENT, "asiacell")
    [part] = smsc.parts
    assert (part.validity_period, part.status) == ("", consts.SMPP_ESME_ROK)


# receipts


@pytest.mark.parametrize(("receipt_format", "delay"), [("text", 0.0), ("tlv", 0.0), ("both", 0.5)])
def test_a_delivery_receipt_marks_the_message_delivered(smsc, use_providers, receipt_format, delay):
    expect_receipts(smsc, delay=delay, receipt_format=receipt_format)
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    eventually(lambda: status_of(message) == Status.DELIVERED)
    message.refresh_from_db()
    receipt = DeliveryReceipt.objects.get()
    assert receipt.message_id == message.pk
    assert (receipt.status, receipt.provider_status, receipt.error_code) == (ReceiptStatus.DELIVERED, "DELIVRD", "000")
    assert receipt.provider_reference == message.provider_reference
    assert message.delivered_at is not None
    eventually(lambda: smsc.deliver_sm_answers)  # answered once stored
    assert [status for _sequence, status in smsc.deliver_sm_answers] == [consts.SMPP_ESME_ROK]


def test_an_undelivered_receipt_fails_the_message_for_good(smsc, use_providers):
    expect_receipts(smsc, "UNDELIV", receipt_error="011")
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    eventually(lambda: status_of(message) == Status.FAILED)
    message.refresh_from_db()
    assert message.failure_kind == FailureKind.PERMANENT
    assert "UNDELIV" in message.failure_reason
    assert DeliveryReceipt.objects.get().error_code == "011"


def test_a_one_time_code_echoed_in_a_receipt_is_not_stored(smsc, use_providers, sms_template):
    sms_template("login_code", body_en="((code)) is your Bawaba code", sensitive=True)
    expect_receipts(smsc)
    use_providers(smpp("asiacell", smsc))
    message = send("login_code", to="07701234567", values={"code": "482913"}, language="en", priority="urgent")
    eventually(lambda: status_of(message) == Status.DELIVERED)
    assert "text:482913" in smsc.receipt_fields("1", smsc.parts[0])["short_message"].decode()  # the SMSC echoes it
    receipt = DeliveryReceipt.objects.get()
    assert "482913" not in json.dumps(receipt.payload)
    assert Message.objects.get(pk=message.pk).body == ""


def test_receipts_in_decimal_find_messages_the_smsc_numbered_in_hexadecimal(smsc, use_providers):
    expect_receipts(smsc, delay=1.0, receipt_ids="decimal")
    use_providers(smpp("asiacell", smsc, receipt_ids="auto"))
    first = send("provider_test", to="07701234567", values={"provider": "x"})
    first.refresh_from_db()
    assert first.provider_reference == "A0000"  # and its receipt will say id:0000655360
    # The worker restarts before the receipt comes: a new session, which never saw that id, gets it.
    reset_providers()
    second = send("provider_test", to="07701234567", values={"provider": "y"})
    eventually(lambda: status_of(first) == status_of(second) == Status.DELIVERED)
    assert len(smsc.successful_binds) == 2
    assert set(DeliveryReceipt.objects.values_list("provider_reference", flat=True)) == {"A0000", "A0001"}


@pytest.mark.parametrize("receipts_for", ["last", "every"])
def test_a_receipt_for_a_long_message_finds_it(smsc, use_providers, sms_template, receipts_for):
    sms_template("passport_ready", body_ar=LONG_ARABIC)
    expect_receipts(smsc)
    use_providers(smpp("asiacell", smsc, receipts_for=receipts_for))
    message = send("passport_ready", to="07701234567", language="ar")
    eventually(lambda: status_of(message) == Status.DELIVERED)
    expected = ["delivered"] if receipts_for == "last" else ["pending", "pending", "delivered"]
    applied = DeliveryReceipt.objects.filter(processed_at__isnull=False)
    eventually(lambda: applied.count() == len(expected))
    assert sorted(receipt.status for receipt in applied) == sorted(expected)
    assert {receipt.message_id for receipt in applied} == {message.pk}


def test_forged_and_malformed_deliver_sm_change_nothing(smsc, use_providers, caplog):
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    assert status_of(message) == Status.SENT
    smsc.deliver(**smsc.receipt_fields("99999999"))  # a receipt for a message nobody sent
    smsc.deliver(esm_class=4, short_message=b"hello, this is not a receipt", destination_addr="Bawaba")
    smsc.deliver(esm_class=0, short_message=b"a citizen's reply", destination_addr="Bawaba")
    body = b"\0\x01\x01123\0\x05\x00Bawaba\0\x04\0\0\0\0\0\0\0\0\x00" + b"\x00\x05\x00\x01\x01"  # a TLV out of place
    smsc.deliver_raw(struct.pack(">LLLL", 16 + len(body), 0x00000005, 0, 77) + body)
    smsc.deliver_raw(struct.pack(">LLLL", 16, 0x00000099, 0, 78))  # no such command
    eventually(lambda: len(smsc.deliver_sm_answers) == 4 and smsc.generic_nacks == [78])
    assert {status for _sequence, status in smsc.deliver_sm_answers} == {consts.SMPP_ESME_ROK}
    assert status_of(message) == Status.SENT
    [stored] = DeliveryReceipt.objects.all()  # only the well-formed one, waiting for a message that never comes
    assert (stored.provider_reference, stored.message_id, stored.processed_at) == ("99999999", None, None)
    assert "not a delivery receipt" in caplog.text
    assert "Unreadable deliver_sm" in caplog.text
    assert "without a usable id" in caplog.text
    again = send("provider_test", to="07701234567", values={"provider": "y"})
    assert status_of(again) == Status.SENT
    assert len(smsc.successful_binds) == 1  # the link survived all of it


# the link


def test_enquire_link_keeps_one_link_open(smsc, use_providers):
    smsc.enquire_link_every = 0.1  # and the SMSC asks too
    use_providers(smpp("asiacell", smsc, enquire_link_interval=0.1))
    first = send("provider_test", to="07701234567", values={"provider": "x"})
    eventually(lambda: smsc.enquire_links >= 3 and smsc.enquire_link_answers >= 3)
    second = send("provider_test", to="07701234567", values={"provider": "y"})
    assert {status_of(first), status_of(second)} == {Status.SENT}
    assert len(smsc.successful_binds) == 1
    assert len({part.connection for part in smsc.parts}) == 1


def test_an_unanswered_enquire_link_drops_the_link_and_the_next_send_binds_again(smsc, use_providers):
    use_providers(smpp("asiacell", smsc, enquire_link_interval=0.1, enquire_link_timeout=0.3))
    send("provider_test", to="07701234567", values={"provider": "x"})
    smsc.stall = True
    eventually(lambda: not smsc.bound_connections)  # Bawaba hung up
    smsc.stall = False
    message = send("provider_test", to="07701234567", values={"provider": "y"})
    assert status_of(message) == Status.SENT
    assert len(smsc.successful_binds) == 2


def test_a_dropped_connection_is_opened_again_on_the_next_send(smsc, use_providers):
    use_providers(smpp("asiacell", smsc))
    send("provider_test", to="07701234567", values={"provider": "x"})
    smsc.drop_connections()
    eventually(lambda: "smpp-reader-asiacell" not in peer_threads())  # the reader saw the link go
    message = send("provider_test", to="07701234567", values={"provider": "y"})
    assert status_of(message) == Status.SENT
    assert len(smsc.successful_binds) == 2
    assert len(smsc.messages) == 2


def test_a_pdu_of_impossible_length_drops_the_link_and_the_next_send_binds_again(smsc, use_providers):
    use_providers(smpp("asiacell", smsc))
    send("provider_test", to="07701234567", values={"provider": "x"})
    smsc.deliver_raw(struct.pack(">LLLL", 8, 0x00000005, 0, 1))
    eventually(lambda: not smsc.bound_connections)
    message = send("provider_test", to="07701234567", values={"provider": "y"})
    assert status_of(message) == Status.SENT
    assert len(smsc.successful_binds) == 2


def test_transmitter_and_receiver_sessions_for_smscs_without_transceivers(smsc, use_providers):
    expect_receipts(smsc)
    use_providers(smpp("asiacell", smsc, bind="transmitter+receiver"))
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    eventually(lambda: status_of(message) == Status.DELIVERED)
    assert sorted(bind.command for bind in smsc.binds) == ["bind_receiver", "bind_transmitter"]


def test_close_unbinds_and_stops_its_threads(smsc, use_providers):
    use_providers(smpp("asiacell", smsc))
    send("provider_test", to="07701234567", values={"provider": "x"})
    assert "smpp-reader-asiacell" in peer_threads()
    reset_providers()
    assert smsc.unbinds == 1
    assert not [name for name in peer_threads() if name.startswith("smpp-")]


def test_several_threads_share_one_session(smsc, use_providers):
    use_providers(smpp("asiacell", smsc))
    provider = get_provider("asiacell")
    references, errors = [], []

    def sender(worker):
        for number in range(5):
            body = f"code {worker}-{number}"
            try:
                accepted = provider.send(
                    OutgoingMessage(message_id=body, channel="sms", to="+9647701234567", body=body), timeout=5
                )
                references.append(accepted.reference)
            except Exception as exc:  # collected, so the assertion below names it
                errors.append(exc)

    threads = [threading.Thread(target=sender, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(references)) == 40
    assert sorted(received.text for received in smsc.messages) == sorted(
        f"code {worker}-{number}" for worker in range(8) for number in range(5)
    )
    assert len(smsc.successful_binds) == 1


# failures and failover


def test_an_invalid_destination_fails_for_good(smsc, use_providers):
    smsc.submit_status = consts.SMPP_ESME_RINVDSTADR
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"})
    message.refresh_from_db()
    assert (message.status, message.failure_kind) == (Status.FAILED, FailureKind.PERMANENT)
    assert Attempt.objects.get().outcome == Outcome.REJECTED


def test_a_throttled_submit_is_tried_again(smsc, use_providers):
    smsc.throttle_next = 1
    use_providers(smpp("asiacell", smsc))
    message = send("provider_test", to="07701234567", values={"provider": "x"}, priority="urgent")
    assert status_of(message) == Status.QUEUED
    deliver_message(str(message.pk))  # the retry the queue runs a second later
    assert status_of(message) == Status.SENT
    outcomes = list(Attempt.objects.order_by("started_at").values_list("outcome", "error_code"))
    assert outcomes == [(Outcome.FAILED, "smpp_throttled"), (Outcome.ACCEPTED, "")]
    assert [part.status for part in smsc.parts] == [consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_ROK]
    assert len(smsc.messages) == 1


def test_our_own_throttle_gives_way_to_the_standby_within_the_timeout(smsc, use_providers, settings, outbox_lines):
    settings.BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT = 0.3
    use_providers(smpp("asiacell", smsc, tps=0.01), OUTBOX_STANDBY)  # one message, then one per 100 s
    first = send("provider_test", to="07701234567", values={"provider": "x"}, priority="urgent")
    second = send("provider_test", to="07701234567", values={"provider": "y"}, priority="urgent")
    assert Message.objects.get(pk=first.pk).provider == "asiacell"
    assert Message.objects.get(pk=second.pk).provider == "outbox"
    assert Attempt.objects.get(message=second, provider="asiacell").error_code == "smpp_throttled_locally"
    assert len(smsc.parts) == 1
    assert len(outbox_lines()) == 1


def test_a_stalled_smsc_is_not_asked_twice_and_the_standby_sends_it(smsc, use_providers, settings, outbox_lines):
    settings.BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT = 0.5
    smsc.stall = True
    use_providers(smpp("asiacell", smsc), OUTBOX_STANDBY)
    message = send("verification_code", to="07701234567", values={"code": "482913", "minutes": 5}, priority="urgent")
    message.refresh_from_db()
    assert (message.status, message.provider) == (Status.SENT, "outbox")
    attempts = list(Attempt.objects.order_by("started_at").values_list("provider", "outcome", "error_code"))
    assert attempts == [("asiacell", Outcome.UNKNOWN, "smpp_no_answer"), ("outbox", Outcome.ACCEPTED, "")]
    assert len(smsc.parts) == 1  # it may have the code: it is never given it again
    assert len(outbox_lines()) == 1


def test_a_link_lost_after_the_submit_went_out_counts_as_maybe_sent(smsc, use_providers, outbox_lines):
    smsc.stall = True
    use_providers(smpp("asiacell", smsc), OUTBOX_STANDBY)
    hang_up = threading.Timer(0.3, smsc.drop_connections)  # while Bawaba waits for submit_sm_resp
    hang_up.start()
    try:
        message = send("provider_test", to="07701234567", values={"provider": "x"}, priority="urgent")
    finally:
        hang_up.join()
    assert Message.objects.get(pk=message.pk).provider == "outbox"
    attempt = Attempt.objects.get(message=message, provider="asiacell")
    assert (attempt.outcome, attempt.error_code) == (Outcome.UNKNOWN, "smpp_no_answer")
    assert len(smsc.parts) == 1
    assert len(outbox_lines()) == 1


def test_with_one_smsc_refusing_connections_every_urgent_code_goes_out_exactly_once(use_providers):
    with TestSmsc(password=PASSWORD) as working, TestSmsc(password=PASSWORD) as refusing:
        refusing.refuse_connections()
        use_providers(smpp("asiacell", working, weight=50), smpp("zain", refusing, weight=50))
        codes = [str(100000 + number) for number in range(20)]
        messages = [
            send("verification_code", to="07801234567", values={"code": code, "minutes": 5}, priority="urgent")
            for code in codes
        ]
        assert {status_of(message) for message in messages} == {Status.SENT}
        assert {Message.objects.get(pk=message.pk).provider for message in messages} == {"asiacell"}
        sent_codes = sorted(code for received in working.messages for code in codes if code in received.text)
        assert sent_codes == codes  # each once
        assert refusing.parts == []
        assert refusing.binds == []
        # Tried (each pick is a coin toss until its breaker opens) and never counted as "maybe sent".
        assert set(Attempt.objects.filter(provider="zain").values_list("outcome", flat=True)) == {Outcome.FAILED}
        reset_providers()
