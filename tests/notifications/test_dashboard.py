"""The delivery dashboard in the admin: who sees it, who may pause a provider, and what a denial leaves."""

import datetime as dt
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from bawaba.accounts.models import User
from bawaba.notifications import routing
from bawaba.notifications.constants import Outcome, Status
from bawaba.notifications.models import Attempt, Message, MessageTemplate, ProviderState
from tests.notifications.staff import log_in

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "staff", "viewer", "operator")


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


DASHBOARD = "notifications_providerstate_changelist"


def make_staff(username, *codenames):
    user = User.objects.create_user(username=username, password=None, is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="notifications", codename=codename))
    return user


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.BAWABA_NOTIFY_PROVIDERS = [
        {"name": "asiacell-smpp", "kind": "outbox", "channels": ["sms"], "weight": 60},
        {"name": "zain-http", "kind": "outbox", "channels": ["sms"], "weight": 40},
    ]


@pytest.fixture
def people():
    return {
        "staff": make_staff("clerk"),
        "viewer": make_staff("watcher", "view_providerstate"),
        "operator": make_staff("operator", "view_providerstate", "change_providerstate"),
    }


def client_for(people, role, **options):
    client = Client(**options)
    if role != "anonymous":
        log_in(client, people[role])
    return client


def nothing_changed():
    return not ProviderState.objects.filter(paused=True).exists() and not LogEntry.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_is_shown_only_to_those_allowed_to_view_it(people, role):
    response = client_for(people, role).get(admin_url(DASHBOARD))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif role == "staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        page = response.content.decode()
        assert "asiacell-smpp" in page
        assert "zain-http" in page
        has_pause_button = admin_url("notifications_providerstate_pause", "asiacell-smpp") in page
        assert has_pause_button == (role == "operator")


@pytest.mark.parametrize("role", ["anonymous", "staff", "viewer"])
def test_pausing_is_refused_to_those_who_may_not_change_providers(people, role):
    response = client_for(people, role).post(admin_url("notifications_providerstate_pause", "asiacell-smpp"))
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert nothing_changed()


def test_pausing_by_get_is_refused(people):
    response = client_for(people, "operator").get(admin_url("notifications_providerstate_pause", "asiacell-smpp"))
    assert response.status_code == 405
    assert nothing_changed()


def test_pausing_without_the_csrf_token_is_refused(people):
    client = client_for(people, "operator", enforce_csrf_checks=True)
    response = client.post(admin_url("notifications_providerstate_pause", "asiacell-smpp"))
    assert response.status_code == 403
    assert nothing_changed()


def test_pausing_an_unknown_provider_is_not_found(people):
    response = client_for(people, "operator").post(admin_url("notifications_providerstate_pause", "no-such"))
    assert response.status_code == 404
    assert nothing_changed()


def test_operator_pauses_and_resumes_a_provider_from_the_dashboard(people):
    client = client_for(people, "operator", enforce_csrf_checks=True)
    page = client.get(admin_url(DASHBOARD)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        admin_url("notifications_providerstate_pause", "asiacell-smpp"), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == admin_url(DASHBOARD)
    state = ProviderState.objects.get(name="asiacell-smpp")
    assert state.paused
    assert state.paused_by == people["operator"]
    assert {routing.choose("sms").name for _ in range(20)} == {"zain-http"}
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (people["operator"], CHANGE, "asiacell-smpp")
    page = client.get(admin_url(DASHBOARD)).content.decode()
    assert "is paused" in page  # the confirmation
    assert admin_url("notifications_providerstate_resume", "asiacell-smpp") in page

    client.post(admin_url("notifications_providerstate_resume", "asiacell-smpp"), {"csrfmiddlewaretoken": token})
    state.refresh_from_db()
    assert not state.paused
    assert state.paused_by is None
    assert LogEntry.objects.count() == 2


def test_dashboard_shows_the_figures(people):
    now = timezone.now()
    template = MessageTemplate.objects.get(name="provider_test")
    for index in range(4):
        message = Message.objects.create(
            template=template,
            channel="sms",
            recipient="+9647501234567",
            operator="korek",
            language="en",
            body="x",
            status=Status.DELIVERED,
            provider="asiacell-smpp",
            created_at=now - dt.timedelta(minutes=5),
            sent_at=now - dt.timedelta(minutes=5),
            accept_latency_ms=450,
            delivery_latency_ms=4000,
        )
        Attempt.objects.create(
            message=message,
            provider="asiacell-smpp",
            outcome=Outcome.ACCEPTED if index else Outcome.FAILED,
            started_at=now - dt.timedelta(minutes=5),
            latency_ms=200,
        )
    ProviderState.objects.create(name="zain-http", health=0.5, health_reason="3 of 5 tries failed")

    response = client_for(people, "viewer").get(admin_url(DASHBOARD))
    page = response.content.decode()
    assert "75.0%" in page  # three of four tries accepted
    assert "25.0%" in page
    assert "<td><bdi>100.0%</bdi></td>" in page  # delivered, of the four with a final receipt
    assert "200 ms" in page
    assert "4.0 s" in page
    assert "3 of 5 tries failed" in page
    assert "Korek Telecom" in page
    assert "Asiacell" in page
    assert "notifications/admin.css" in page
    assert "<script>" not in page  # CSP: no inline script


def test_dashboard_reads_in_arabic_right_to_left(people):
    client = client_for(people, "viewer")
    with translation.override("ar"):
        url = reverse(f"admin:{DASHBOARD}")
    response = client.get(url)
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
