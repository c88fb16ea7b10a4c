"""The HTTP SMS gateway provider against a real local gateway, and its signed receipt callback."""

import datetime as dt
import json
import shutil
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from bawaba.notifications.constants import FailureKind, Outcome, ReceiptStatus, Status
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message
from bawaba.notifications.providers.base import OutgoingMessage, PermanentFailure, TemporaryFailure
from bawaba.notifications.providers.config import get_provider
from bawaba.notifications.services import send
from bawaba.notifications.sweeper import sweep
from tests.peers.http_gateway import provider_entry, sign

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "receipt-secret-for-tests-0123456789abcdef"
CODE = {"code": "482913", "minutes": 5}
NUMBER = "+9647701234567"


@pytest.fixture(autouse=True)
def _embedded_and_clean_cache(settings):
    # Deliver inline even when REDIS_URL is set, and forget rate-limit counts and seen signatures.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gw(gateways, settings):
    """One gateway, configured as the only SMS provider "gw" with bearer auth and a receipt secret."""
    gateway = gateways("gw", secret=SECRET)
    settings.BAWABA_NOTIFY_PROVIDERS = [
        provider_entry(gateway, auth={"type": "bearer", "token": "t0ken"}, receipt_secret=SECRET)
    ]
    return gateway


def configure(settings, gateway, **options):
    settings.BAWABA_NOTIFY_PROVIDERS = [provider_entry(gateway, **options)]
    return get_provider(gateway.name)


def outgoing(to=NUMBER, sender=""):
    return OutgoingMessage(message_id=str(uuid.uuid4()), channel="sms", to=to, body="رمز بوابة: 482913", sender=sender)


def wait_until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# -- the request ---------------------------------------------------------------------------------------


def test_the_gateway_gets_its_own_field_names_extra_fields_token_and_our_id_as_idempotency_key(gw, settings):
    settings.BAWABA_NOTIFY_PROVIDERS[0]["options"]["extra"] = {"route": "otp", "meta": {"channel": "sms"}}
    message = send("verification_code", to="0770 123 4567", values=CODE, priority="urgent", language="en")
    message.refresh_from_db()
    [request] = gw.received
    assert request.document == {
        "route": "otp",
        "meta": {"channel": "sms"},
        "to": NUMBER,
        "text": "Your Bawaba code is 482913. It expires in 5 minutes. Never share it.",
        "client_ref": str(message.pk),
    }
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.headers["Idempotency-Key"] == str(message.pk)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert message.status == Status.SENT
    assert message.provider == "gw"
    assert message.provider_reference == "gw-1"  # read from data.message_id


@pytest.mark.parametrize(
    ("auth", "environment", "header", "expected"),
    [
        ({"type": "bearer", "token_env": "GW_TOKEN"}, {"GW_TOKEN": "abc"}, "Authorization", "Bearer abc"),
        (
            {"type": "basic", "username": "bawaba", "password_env": "GW_PASSWORD"},
            {"GW_PASSWORD": "s3cret"},
            "Authorization",
            "Basic YmF3YWJhOnMzY3JldA==",
        ),
        ({"type": "header", "name": "X-Api-Key", "value_env": "GW_KEY"}, {"GW_KEY": "k-1"}, "X-Api-Key", "k-1"),
    ],
)
def test_each_kind_of_credential_reaches_the_gateway(
    gateways, settings, monkeypatch, auth, environment, header, expected
):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    gateway = gateways("gw")
    configure(settings, gateway, auth=auth).send(outgoing(), timeout=5)
    [request] = gateway.received
    assert request.headers[header] == expected


@pytest.mark.parametrize(
    ("to_format", "expected"),
    [("e164", "+9647701234567"), ("international", "9647701234567"), ("national", "07701234567")],
)
def test_numbers_are_written_the_way_the_gateway_wants(gateways, settings, to_format, expected):
    gateway = gateways("gw")
    configure(settings, gateway, to_format=to_format).send(outgoing(), timeout=5)
    assert gateway.received[0].document["to"] == expected


def test_a_national_only_gateway_declines_a_foreign_number_so_another_provider_can_take_it(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway, to_format="national")
    with pytest.raises(TemporaryFailure) as raised:
        provider.send(outgoing(to="+447911123456"), timeout=5)
    assert raised.value.code == "number_outside_region"
    assert not raised.value.maybe_accepted
    assert gateway.received == []


def test_the_sender_is_the_templates_or_the_operators_default_and_left_out_when_neither_is_set(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway)
    provider.send(outgoing(sender="MOI"), timeout=5)
    provider.send(outgoing(), timeout=5)
    provider = configure(settings, gateway, sender="Bawaba")
    provider.send(outgoing(), timeout=5)
    assert [request.document.get("from") for request in gateway.received] == ["MOI", None, "Bawaba"]


def test_fields_can_nest_and_be_left_out(gateways, settings):
    gateway = gateways("gw", reference_field="client_ref")
    fields = {"to": "message.recipient", "body": "message.content", "sender": None, "reference": "client_ref"}
    configure(settings, gateway, fields=fields).send(outgoing(sender="MOI"), timeout=5)
    document = gateway.received[0].document
    assert document["message"] == {"recipient": NUMBER, "content": "رمز بوابة: 482913"}
    assert set(document) == {"message", "client_ref"}


def test_without_an_id_path_our_message_id_is_the_reference(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway, id_path=None, result=None)
    message = outgoing()
    assert provider.send(message, timeout=5).reference == message.message_id


def test_one_provider_keeps_its_connections_alive_and_is_safe_from_many_threads(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway, pool_size=4)
    provider.send(outgoing(), timeout=5)
    provider.send(outgoing(), timeout=5)
    assert gateway.connections_opened == 1  # the second message reused the first connection

    messages = [outgoing() for _ in range(40)]
    references: list[str] = []
    errors: list[Exception] = []

    def hand_over(batch):
        for message in batch:
            try:
                references.append(provider.send(message, timeout=10).reference)
            except Exception as exc:  # collected: the assertion below names it
                errors.append(exc)

    threads = [threading.Thread(target=hand_over, args=(messages[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(references)) == 40
    assert sorted(gateway.references("accepted")[2:]) == sorted(m.message_id for m in messages)
    assert gateway.duplicates() == []


# -- what each failure means -----------------------------------------------------------------------------

# (how the gateway misbehaves, what the provider raises, whether the gateway may have the message)
FAILURES = [
    pytest.param(lambda g: g.refuse(), TemporaryFailure, False, id="connection-refused"),
    pytest.param(lambda g: g.stall(), TemporaryFailure, True, id="stalls-past-the-timeout"),
    pytest.param(lambda g: g.drop(), TemporaryFailure, True, id="hangs-up-after-reading"),
    pytest.param(lambda g: g.malformed(), TemporaryFailure, True, id="answer-is-not-json"),
    pytest.param(lambda g: g.reject(200, {"status": "queued"}), TemporaryFailure, True, id="answer-without-id"),
    pytest.param(lambda g: g.reject(400), PermanentFailure, None, id="400"),
    pytest.param(lambda g: g.reject(422), PermanentFailure, None, id="422"),
    pytest.param(lambda g: g.reject(401), TemporaryFailure, False, id="401-our-credentials"),
    pytest.param(lambda g: g.reject(402), TemporaryFailure, False, id="402-out-of-credit"),
    pytest.param(lambda g: g.reject(429), TemporaryFailure, False, id="429"),
    pytest.param(lambda g: g.reject(503), TemporaryFailure, False, id="503-refused-before-processing"),
    pytest.param(lambda g: g.reject(500), TemporaryFailure, True, id="500-failed-while-processing"),
    pytest.param(lambda g: g.reject(502), TemporaryFailure, True, id="502"),
    pytest.param(lambda g: g.reject(504), TemporaryFailure, True, id="504"),
    pytest.param(lambda g: g.reject(409), TemporaryFailure, True, id="409-key-already-in-flight"),
    pytest.param(lambda g: g.reject(302), TemporaryFailure, False, id="302-redirects-are-not-followed"),
    pytest.param(lambda g: g.reject(200, {"status": "invalid_number"}), PermanentFailure, None, id="says-bad-number"),
    pytest.param(lambda g: g.reject(200, {"status": "throttled"}), TemporaryFailure, False, id="says-throttled"),
]


@pytest.mark.parametrize(("misbehave", "raised_class", "maybe_accepted"), FAILURES)
def test_each_failure_maps_to_its_outcome(gateways, settings, misbehave, raised_class, maybe_accepted):
    gateway = gateways("gw")
    provider = configure(settings, gateway)
    provider.send(outgoing(), timeout=5)  # a pooled connection exists, as in a busy worker
    misbehave(gateway)
    with pytest.raises(raised_class) as raised:
        provider.send(outgoing(), timeout=0.5)
    if maybe_accepted is not None:
        assert raised.value.maybe_accepted is maybe_accepted
    gateway.accept()
    assert provider.send(outgoing(), timeout=5).reference  # and it recovers


def test_an_answer_that_comes_after_the_timeout_may_mean_the_gateway_has_it(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway)
    gateway.slow(1.0)
    message = outgoing()
    with pytest.raises(TemporaryFailure) as raised:
        provider.send(message, timeout=0.3)
    assert raised.value.maybe_accepted
    assert wait_until(lambda: gateway.references("accepted") == [message.message_id])


def test_operators_choose_what_an_http_status_means(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway, permanent_statuses=[503], temporary_statuses=[400])
    gateway.reject(503)
    with pytest.raises(PermanentFailure):
        provider.send(outgoing(), timeout=5)
    gateway.reject(400)
    with pytest.raises(TemporaryFailure) as raised:
        provider.send(outgoing(), timeout=5)
    assert not raised.value.maybe_accepted


def test_a_failure_reason_never_echoes_the_gateways_body(gateways, settings):
    gateway = gateways("gw")
    provider = configure(settings, gateway)
    gateway.reject(400, {"status": "error", "error": {"code": "bad_text"}, "echo": "رمز بوابة: 482913"})
    with pytest.raises(PermanentFailure) as raised:
        provider.send(outgoing(), timeout=5)
    assert raised.value.code == "bad_text"
    assert "482913" not in str(raised.value)


def test_the_engine_records_each_try_with_its_outcome(gw, settings):
    gw.reject(500)
    message = send("provider_test", to=NUMBER, values={"provider": "gw"})
    [attempt] = Attempt.objects.filter(message=message)
    assert attempt.outcome == Outcome.UNKNOWN
    assert attempt.error_code == "rejected"
    message.refresh_from_db()
    # The only provider may have it: asking it again could mean a second message.
    assert message.status == Status.FAILED
    assert message.failure_kind == FailureKind.TEMPORARY


# -- TLS -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: a gateway whose CA nobody but its bundle trusts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    arguments = "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(  # noqa: S603  (fixed arguments)
        [openssl, *arguments.split(), "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    return str(cert), str(key)


def test_a_gateway_with_a_certificate_we_do_not_trust_is_never_sent_anything(gateways, settings, certificate):
    gateway = gateways("gw", tls=certificate)
    with pytest.raises(TemporaryFailure) as raised:
        configure(settings, gateway).send(outgoing(), timeout=5)
    assert not raised.value.maybe_accepted
    assert raised.value.code == "http_connect"
    assert gateway.received == []


def test_a_gateway_with_a_private_ca_is_trusted_through_its_bundle(gateways, settings, certificate):
    gateway = gateways("gw", tls=certificate)
    assert configure(settings, gateway, verify_tls=certificate[0]).send(outgoing(), timeout=5).reference == "gw-1"


def test_talking_tls_to_a_server_that_does_not_is_a_clean_failure(gateways, settings):
    gateway = gateways("gw")
    entry = provider_entry(gateway)
    entry["options"]["url"] = gateway.url.replace("http://", "https://")
    settings.BAWABA_NOTIFY_PROVIDERS = [entry]
    with pytest.raises(TemporaryFailure) as raised:
        get_provider("gw").send(outgoing(), timeout=5)
    assert not raised.value.maybe_accepted


@pytest.mark.parametrize(
    "options",
    [
        {"url": "http://sms.example.iq/send"},
        {"url": "https://sms.example.iq/send", "verify_tls": False},
    ],
)
def test_production_never_sends_codes_unencrypted_or_unverified(settings, options):
    settings.BAWABA_ENV = "production"
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "gw", "kind": "http", "options": options}]
    with pytest.raises(ImproperlyConfigured):
        get_provider("gw")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"url": "ftp://sms.example.iq"},
        {"url": "https://sms.example.iq", "auth": {"type": "digest"}},
        {"url": "https://sms.example.iq", "auth": {"type": "bearer"}},
        {"url": "https://sms.example.iq", "to_format": "local"},
        {"url": "https://sms.example.iq", "verify_tls": "/nonexistent/ca.pem"},
        {"url": "https://sms.example.iq", "permanent_statuses": ["400"]},
        {"url": "https://sms.example.iq", "receipt": {"statuses": {"OK": "done"}}},
    ],
)
def test_a_mistaken_configuration_is_refused_with_its_reason(settings, options):
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "gw", "kind": "http", "options": options}]
    with pytest.raises(ImproperlyConfigured):
        get_provider("gw")


# -- receipts ----------------------------------------------------------------------------------------------


@pytest.fixture
def sent(gw):
    """A message the gateway accepted as gw-1, waiting for its receipt."""
    message = send("verification_code", to=NUMBER, values=CODE, priority="urgent")
    message.refresh_from_db()
    assert (message.status, message.provider_reference) == (Status.SENT, "gw-1")
    return message


def receipt_url(provider="gw"):
    return reverse("notifications:http_receipt", args=[provider])


def post_receipt(client, body, *, provider="gw", secret=SECRET, timestamp=None, signature=None, **extra):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    header = signature if signature is not None else sign(secret, raw, timestamp)
    return client.post(
        receipt_url(provider),
        data=raw,
        content_type="application/json",
        headers={"X-Bawaba-Signature": header},
        **extra,
    )


def receipt_for(reference="gw-1", state="DELIVRD", **more):
    return {"message_id": reference, "state": state, "error_code": "000", "done_at": "2026-01-05T10:00:02Z", **more}


def test_a_signed_delivered_receipt_marks_the_message_delivered(client, sent):
    response = post_receipt(client, receipt_for(text="id:gw-1 text:رمز بوابة: 482913"))
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    [receipt] = DeliveryReceipt.objects.all()
    assert (receipt.provider, receipt.provider_reference, receipt.status) == ("gw", "gw-1", ReceiptStatus.DELIVERED)
    assert receipt.provider_status == "DELIVRD"
    assert receipt.done_at == dt.datetime(2026, 1, 5, 10, 0, 2, tzinfo=dt.UTC)
    # Only the fields we read are kept: a gateway echoing the text would otherwise store the code.
    assert receipt.payload == {
        "reference": "gw-1",
        "status": "DELIVRD",
        "error": "000",
        "done_at": "2026-01-05T10:00:02Z",
    }


def test_an_undelivered_receipt_fails_the_message_for_good(client, sent):
    assert post_receipt(client, receipt_for(state="UNDELIV", error_code="012")).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.FAILED
    assert sent.failure_kind == FailureKind.PERMANENT
    assert DeliveryReceipt.objects.get().error_code == "012"


def test_an_intermediate_receipt_is_stored_and_the_message_stays_sent(client, sent):
    assert post_receipt(client, receipt_for(state="ENROUTE", done_at=1767607200)).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    receipt = DeliveryReceipt.objects.get()
    assert receipt.status == ReceiptStatus.PENDING
    assert receipt.done_at == dt.datetime(2026, 1, 5, 10, 0, 0, tzinfo=dt.UTC)


def test_the_receipt_secret_can_come_from_the_environment(client, gw, settings, monkeypatch):
    monkeypatch.setenv("GW_RECEIPT_SECRET", "from-the-environment-0123456789abcdef")
    options = settings.BAWABA_NOTIFY_PROVIDERS[0]["options"]
    del options["receipt_secret"]
    options["receipt_secret_env"] = "GW_RECEIPT_SECRET"
    settings.BAWABA_NOTIFY_PROVIDERS = [settings.BAWABA_NOTIFY_PROVIDERS[0]]
    send("provider_test", to=NUMBER, values={"provider": "gw"})
    assert post_receipt(client, receipt_for(), secret=SECRET).status_code == 401
    assert post_receipt(client, receipt_for(), secret="from-the-environment-0123456789abcdef").status_code == 204


def signed_now(body, secret=SECRET, offset=0):
    return sign(secret, json.dumps(body).encode(), int(time.time()) + offset)


REFUSALS = [
    pytest.param({"secret": "someone-elses-secret"}, 401, "bad_signature", id="wrong-secret"),
    pytest.param({"signature": ""}, 401, "bad_signature", id="no-signature"),
    pytest.param({"signature": "t=1767607200"}, 401, "bad_signature", id="no-v1"),
    pytest.param({"signature": "t=soon,v1=00"}, 401, "bad_signature", id="garbled"),
    pytest.param({"signature": "t=1,v1=ÿ"}, 401, "bad_signature", id="not-ascii"),
    pytest.param({"timestamp_offset": -301}, 401, "stale", id="older-than-5-minutes"),
    pytest.param({"timestamp_offset": 120}, 401, "stale", id="from-the-future"),
    pytest.param({"provider": "nobody"}, 404, "not_found", id="unknown-provider"),
    pytest.param({"provider": "outbox"}, 404, "not_found", id="provider-of-another-kind"),
    pytest.param({"provider": "nosecret"}, 404, "not_found", id="provider-without-secret"),
    pytest.param({"body": b"not json"}, 400, "invalid_json", id="not-json"),
    pytest.param({"body": b"[1, 2]"}, 400, "invalid_json", id="not-an-object"),
    pytest.param({"body": {"state": "DELIVRD"}}, 400, "missing_reference", id="no-reference"),
    pytest.param({"body": {"message_id": "gw-1", "state": "MAYBE"}}, 400, "unknown_status", id="unknown-status"),
    pytest.param({"body": b"{" + b" " * (64 * 1024) + b"}"}, 413, "too_large", id="oversized"),
]


@pytest.mark.parametrize(("change", "status", "code"), REFUSALS)
def test_a_receipt_that_cannot_be_trusted_or_read_changes_nothing(
    client, sent, gateways, settings, change, status, code
):
    other = gateways("nosecret")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        *settings.BAWABA_NOTIFY_PROVIDERS,
        provider_entry(other, weight=0),
        {"name": "outbox", "kind": "outbox", "channels": ["email"]},
    ]
    body = change.get("body", receipt_for())
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = change.get("signature")
    if "timestamp_offset" in change:
        signature = sign(SECRET, raw, int(time.time()) + change["timestamp_offset"])
    response = post_receipt(
        client, raw, provider=change.get("provider", "gw"), secret=change.get("secret", SECRET), signature=signature
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not DeliveryReceipt.objects.exists()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_receipts_are_only_posted(client, sent, method):
    response = getattr(client, method)(receipt_url())
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"
    assert not DeliveryReceipt.objects.exists()


def test_the_same_signed_receipt_sent_twice_is_stored_once(client, sent):
    raw = json.dumps(receipt_for()).encode()
    header = sign(SECRET, raw)
    for _ in range(2):
        response = client.post(
            receipt_url(), data=raw, content_type="application/json", headers={"X-Bawaba-Signature": header}
        )
        assert response.status_code == 204
    assert DeliveryReceipt.objects.count() == 1


def test_a_receipt_signed_for_one_provider_is_refused_by_another(client, sent, gateways, settings):
    other = gateways("other")
    settings.BAWABA_NOTIFY_PROVIDERS = [
        *settings.BAWABA_NOTIFY_PROVIDERS,
        provider_entry(other, weight=0, receipt_secret="other-secret-0123456789abcdef0123456789"),
    ]
    assert post_receipt(client, receipt_for(), provider="other").status_code == 401
    assert not DeliveryReceipt.objects.exists()


def test_receipts_from_one_address_are_rate_limited_per_provider(client, sent, settings):
    settings.BAWABA_NOTIFY_PROVIDERS[0]["options"]["receipt_rate_limit"] = 3
    settings.BAWABA_NOTIFY_PROVIDERS = [settings.BAWABA_NOTIFY_PROVIDERS[0]]
    statuses = [post_receipt(client, receipt_for(state="ENROUTE", n=i)).status_code for i in range(4)]
    assert statuses == [204, 204, 204, 429]
    assert DeliveryReceipt.objects.count() == 3
    # Another address is counted on its own.
    assert post_receipt(client, receipt_for(state="ENROUTE", n=9), REMOTE_ADDR="10.1.2.3").status_code == 204


def test_the_gateway_posts_its_receipt_to_the_live_portal_and_the_message_becomes_delivered(gw, live_server):
    gw.receipts(to=live_server.url + receipt_url(), delay=0.2, status="DELIVRD")
    message = send("verification_code", to=NUMBER, values=CODE, priority="urgent")

    def delivered():
        if Message.objects.get(pk=message.pk).status == Status.DELIVERED:
            return True
        # A receipt that beat our own "sent" write waits for the sweeper, which beat runs every 5 s.
        sweep(now=timezone.now() + dt.timedelta(seconds=10))
        return False

    assert wait_until(delivered, seconds=15), gw.receipts_posted
    assert wait_until(lambda: gw.receipts_posted == [("gw-1", "204")]), gw.receipts_posted
    receipt = DeliveryReceipt.objects.get()
    assert receipt.message_id == message.pk
    message.refresh_from_db()
    assert message.delivery_latency_ms is not None


DEADLOCK_PROBE = """
import django
django.setup()
from bawaba.notifications.providers.config import get_provider, reset_providers
reset_providers()
print(get_provider("outbox").kind)
"""


def test_the_first_get_provider_after_a_reset_returns():
    # get_provider() once held its lock while loading the configuration, which takes the same lock: the
    # first call after a reset hung. In a child process, so a hang fails this test and nothing else.
    try:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", DEADLOCK_PROBE], capture_output=True, text=True, timeout=15, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail("get_provider() never returned")
    assert result.stdout.strip() == "outbox", result.stderr
