"""Messages and receipts in the admin: read-only, found by exact number or reference, secrets never shown."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bawaba.accounts.models import User
from bawaba.notifications.constants import Outcome, ReceiptStatus, Status
from bawaba.notifications.models import Attempt, DeliveryReceipt, Message, MessageTemplate
from tests.notifications.staff import log_in

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:notifications_{name}", args=args)


def make_staff(username, *codenames, superuser=False):
    user = User.objects.create_user(username=username, password=None, is_staff=True, is_superuser=superuser)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notifications", codename=codename))
    return user


def logged_in(user):
    client = Client()
    log_in(client, user)
    return client


@pytest.fixture
def support():
    return logged_in(make_staff("support", "view_message", "view_deliveryreceipt"))


@pytest.fixture
def superuser():
    return logged_in(make_staff("root", superuser=True))


def message(template="provider_test", **fields):
    values = {
        "template": MessageTemplate.objects.get(name=template),
        "channel": "sms",
        "recipient": "+9647701234567",
        "operator": "asiacell",
        "language": "en",
        "body": "Test message from Bawaba (alpha).",
        "status": Status.SENT,
        "provider": "alpha",
        "provider_reference": f"ref-{uuid.uuid4().hex[:8]}",
        "created_at": NOW - dt.timedelta(minutes=3),
        "sent_at": NOW - dt.timedelta(minutes=3),
        "accept_latency_ms": 850,
    }
    values.update(fields)
    return Message.objects.create(**values)


def listed(response):
    return {row.pk for row in response.context["cl"].result_list}


# Access.


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_messages_are_closed_to_those_without_permission(role):
    sent = message()
    client = Client()
    if role == "staff":
        log_in(client, make_staff("clerk"))
    for url in (admin_url("message_changelist"), admin_url("message_change", sent.pk)):
        assert client.get(url).status_code == (302 if role == "anonymous" else 403)


def test_nobody_adds_changes_or_deletes_a_message(superuser):
    sent = message()
    assert superuser.get(admin_url("message_add")).status_code == 403
    assert superuser.post(admin_url("message_add"), {"recipient": "+9647701111111"}).status_code == 403
    assert superuser.post(admin_url("message_change", sent.pk), {"status": "failed"}).status_code == 403
    assert superuser.post(admin_url("message_delete", sent.pk), {"post": "yes"}).status_code == 403
    response = superuser.post(
        admin_url("message_changelist"), {"action": "delete_selected", "_selected_action": [sent.pk], "post": "yes"}
    )
    assert Message.objects.filter(pk=sent.pk, status=Status.SENT).exists()
    assert Message.objects.count() == 1
    assert response.status_code in (200, 302)


def test_the_list_shows_what_support_needs(support):
    sent = message(operator="korek", recipient="+9647501234567")
    page = support.get(admin_url("message_changelist")).content.decode()
    for text in ("+9647501234567", "Korek Telecom", "alpha", "850 ms", "provider_test", "Sent", "Normal"):
        assert text in page
    assert sent.body not in page


# Search and filters.


def test_search_finds_a_number_written_any_way(support):
    wanted = message(recipient="+9647701234567")
    message(recipient="+9647501234567")
    for query in ("0770 123 4567", "+964 770 123 4567", "٠٧٧٠١٢٣٤٥٦٧", "+9647701234567"):
        response = support.get(admin_url("message_changelist"), {"q": query})
        assert listed(response) == {wanted.pk}, query


def test_search_is_exact_not_partial(support):
    message(recipient="+9647701234567", reference="accounts.verification:42")
    for query in ("0770", "770123", "accounts.verification", "verification:4"):
        assert listed(support.get(admin_url("message_changelist"), {"q": query})) == set(), query


def test_search_by_reference_message_id_or_e_mail(support, email_template):
    by_reference = message(reference="accounts.verification:42")
    by_id = message()
    by_address = message(template="case_update", channel="email", recipient="Layla@example.org", operator="")
    assert listed(support.get(admin_url("message_changelist"), {"q": "accounts.verification:42"})) == {by_reference.pk}
    assert listed(support.get(admin_url("message_changelist"), {"q": str(by_id.pk)})) == {by_id.pk}
    assert listed(support.get(admin_url("message_changelist"), {"q": " Layla@EXAMPLE.org "})) == {by_address.pk}


def test_filters(support):
    failed = message(status=Status.FAILED, provider="", operator="zain")
    korek = message(operator="korek", provider="beta", priority="urgent")
    foreign = message(operator="", recipient="+447911123456", channel="sms")
    url = admin_url("message_changelist")
    assert listed(support.get(url, {"status__exact": "failed"})) == {failed.pk}
    assert listed(support.get(url, {"operator": "korek"})) == {korek.pk}
    assert listed(support.get(url, {"operator": "none"})) == {foreign.pk}
    assert listed(support.get(url, {"priority__exact": "urgent"})) == {korek.pk}
    assert listed(support.get(url, {"channel__exact": "sms"})) == {failed.pk, korek.pk, foreign.pk}


def test_provider_filter_offers_configured_providers(support, settings):
    settings.BAWABA_NOTIFY_PROVIDERS = [{"name": "beta", "kind": "outbox", "channels": ["sms"]}]
    kept = message(provider="beta")
    message(provider="alpha")
    response = support.get(admin_url("message_changelist"), {"provider": "beta"})
    assert listed(response) == {kept.pk}
    assert "?provider=beta" in response.content.decode()


# The detail page.


def test_detail_shows_attempts_and_receipts(support):
    sent = message(status=Status.DELIVERED, delivery_latency_ms=4200)
    Attempt.objects.create(
        message=sent,
        provider="beta",
        outcome=Outcome.FAILED,
        started_at=NOW - dt.timedelta(minutes=4),
        latency_ms=2000,
        error_code="smpp_throttled",
        error="Throttled by the SMSC",
    )
    Attempt.objects.create(
        message=sent,
        provider="alpha",
        outcome=Outcome.ACCEPTED,
        started_at=NOW - dt.timedelta(minutes=3),
        latency_ms=120,
    )
    DeliveryReceipt.objects.create(
        provider="alpha",
        provider_reference=sent.provider_reference,
        status=ReceiptStatus.DELIVERED,
        provider_status="DELIVRD",
        received_at=NOW,
        message=sent,
        processed_at=NOW,
    )
    page = support.get(admin_url("message_change", sent.pk)).content.decode()
    for text in ("smpp_throttled", "Throttled by the SMSC", "2.0 s", "120 ms", "Accepted", "DELIVRD", "4.2 s"):
        assert text in page, text
    assert sent.body in page  # not a secret


def test_an_erased_text_says_so(support):
    sent = message(template="verification_code", body="", redacted=True)
    page = support.get(admin_url("message_change", sent.pk)).content.decode()
    assert "Erased after sending." in page


def test_a_secret_is_never_shown_even_before_it_is_erased(support, superuser):
    waiting = message(
        template="verification_code", status=Status.QUEUED, body="Your Bawaba code is 482913.", redacted=False
    )
    for client in (support, superuser):
        page = client.get(admin_url("message_change", waiting.pk)).content.decode()
        assert "482913" not in page
        assert "Not shown: this template contains a secret." in page
        assert "482913" not in client.get(admin_url("message_changelist")).content.decode()


# Receipts.


def test_receipts_are_read_only(superuser):
    receipt = DeliveryReceipt.objects.create(
        provider="alpha", provider_reference="r-1", status=ReceiptStatus.PENDING, received_at=NOW
    )
    assert superuser.get(admin_url("deliveryreceipt_add")).status_code == 403
    assert superuser.post(admin_url("deliveryreceipt_change", receipt.pk), {"status": "delivered"}).status_code == 403
    assert superuser.post(admin_url("deliveryreceipt_delete", receipt.pk), {"post": "yes"}).status_code == 403
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.PENDING


def test_receipts_are_closed_to_staff_without_permission():
    receipt = DeliveryReceipt.objects.create(
        provider="alpha", provider_reference="r-1", status=ReceiptStatus.PENDING, received_at=NOW
    )
    client = logged_in(make_staff("clerk", "view_message"))
    assert client.get(admin_url("deliveryreceipt_changelist")).status_code == 403
    assert client.get(admin_url("deliveryreceipt_change", receipt.pk)).status_code == 403


def test_receipt_payload_is_hidden_when_it_may_quote_a_secret(support):
    code = message(template="verification_code", body="", redacted=True)
    plain = message()
    quoted = {"short_message": "id:abc stat:DELIVRD text:Your Bawaba code is 48"}
    secret = DeliveryReceipt.objects.create(
        provider="alpha", provider_reference="r-1", status="delivered", received_at=NOW, payload=quoted, message=code
    )
    unmatched = DeliveryReceipt.objects.create(
        provider="alpha", provider_reference="r-2", status="delivered", received_at=NOW, payload=quoted
    )
    shown = DeliveryReceipt.objects.create(
        provider="alpha",
        provider_reference="r-3",
        status="delivered",
        received_at=NOW,
        payload={"state": "DELIVRD"},
        message=plain,
    )
    for hidden in (secret, unmatched):
        page = support.get(admin_url("deliveryreceipt_change", hidden.pk)).content.decode()
        assert "code is 48" not in page
        assert "Not shown" in page
    assert "DELIVRD" in support.get(admin_url("deliveryreceipt_change", shown.pk)).content.decode()
    assert listed(support.get(admin_url("deliveryreceipt_changelist"), {"q": "r-2"})) == {unmatched.pk}


def test_the_subject_of_a_secret_e_mail_is_not_shown_either(support):
    MessageTemplate.objects.create(
        name="email_code", channel="email", sensitive=True, subject_ar="رمزك ((code))", body_ar="رمزك ((code))"
    )
    waiting = message(
        template="email_code",
        channel="email",
        recipient="layla@example.org",
        status=Status.QUEUED,
        subject="Your code 739201",
        body="Your code 739201",
    )
    page = support.get(admin_url("message_change", waiting.pk)).content.decode()
    assert "739201" not in page


@pytest.mark.parametrize(
    "query",
    ["body__startswith=Your", "subject__contains=1", "reference__startswith=a", "failure_reason__icontains=x"],
)
def test_the_message_list_refuses_filters_that_could_read_a_code_a_digit_at_a_time(support, query):
    response = support.get(admin_url("message_changelist") + "?" + query)
    assert response.status_code == 400


def test_the_message_list_still_filters_by_its_own_filters(support):
    for query in ("status__exact=sent", "channel__exact=sms", "priority__exact=urgent", "provider=outbox"):
        assert support.get(admin_url("message_changelist") + "?" + query).status_code == 200
