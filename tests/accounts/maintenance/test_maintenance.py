"""The hourly housekeeping keeps verification records only as long as the limits need them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bawaba.accounts.constants import VerificationPurpose, VerificationStatus
from bawaba.accounts.maintenance import accounts_maintenance
from bawaba.accounts.models import AccountSession, PhoneVerification, VerificationCode, VerificationTicket
from bawaba.accounts.verification.services import verification_start
from tests.accounts.conftest import NEW_NUMBER

pytestmark = pytest.mark.django_db


def start(now):
    return verification_start(
        purpose=VerificationPurpose.RECOVERY, phone=NEW_NUMBER, client_address="192.0.2.1", language="en", now=now
    )


def test_recent_records_stay(builtin_templates):
    now = timezone.now()
    start(now)

    result = accounts_maintenance(now=now + dt.timedelta(days=29))

    assert result.codes_deleted == 0
    assert VerificationCode.objects.count() == 1
    assert PhoneVerification.objects.count() == 1


def test_codes_older_than_30_days_and_expired_tickets_go(builtin_templates):
    now = timezone.now()
    start(now)

    result = accounts_maintenance(now=now + dt.timedelta(days=31))

    assert (result.codes_deleted, result.tickets_deleted) == (1, 1)
    assert not VerificationCode.objects.exists()
    assert not VerificationTicket.objects.exists()
    # Still pending: someone's unfinished verification keeps its counters.
    assert PhoneVerification.objects.count() == 1


def test_finished_verifications_left_empty_go(builtin_templates):
    now = timezone.now()
    start(now)
    PhoneVerification.objects.update(status=VerificationStatus.CANCELLED, updated_at=now)

    accounts_maintenance(now=now + dt.timedelta(days=31))

    assert not PhoneVerification.objects.exists()


def test_expired_sessions_are_ended(citizen):
    long_ago = timezone.now() - dt.timedelta(days=2)
    AccountSession.objects.create(user=citizen, session_key="k" * 32, last_seen_at=long_ago)
    AccountSession.objects.filter(user=citizen).update(created_at=long_ago)

    result = accounts_maintenance()

    assert result.sessions_ended == 1
    assert AccountSession.objects.get(user=citizen).ended_at is not None


def test_the_command_prints_what_it_did(capsys, db):
    call_command("accounts_maintenance")

    assert "codes deleted: 0" in capsys.readouterr().out
