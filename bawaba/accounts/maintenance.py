"""Housekeeping run every hour by Celery beat (and by `manage.py accounts_maintenance` where no beat runs).

What a verification leaves behind is personal data (a number, an address) kept only as long as the limits
on codes need it: the daily caps look back one day; 30 days leaves room for investigating abuse.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from bawaba.accounts.constants import VerificationStatus
from bawaba.accounts.models import PhoneVerification, VerificationCode, VerificationTicket
from bawaba.accounts.sessions.services import sessions_end_expired

VERIFICATION_RECORDS_KEPT = dt.timedelta(days=30)
# A ticket is useless once expired; a day more keeps a "this verification has ended" answer meaningful.
TICKETS_KEPT_AFTER_EXPIRY = dt.timedelta(days=1)


@dataclass(frozen=True)
class MaintenanceResult:
    codes_deleted: int
    tickets_deleted: int
    verifications_deleted: int
    sessions_ended: int


def verification_records_purge(*, now: dt.datetime | None = None) -> tuple[int, int, int]:
    """Delete codes older than 30 days, tickets a day past expiry, and finished verifications left empty."""
    now = now or timezone.now()
    codes, _ = VerificationCode.objects.filter(created_at__lt=now - VERIFICATION_RECORDS_KEPT).delete()
    tickets, _ = VerificationTicket.objects.filter(expires_at__lt=now - TICKETS_KEPT_AFTER_EXPIRY).delete()
    # A pending verification is someone's unfinished sign-up: its counters (wrong codes, waits) must stay.
    finished = PhoneVerification.objects.filter(
        ~Q(status=VerificationStatus.PENDING), updated_at__lt=now - VERIFICATION_RECORDS_KEPT
    ).filter(codes__isnull=True, tickets__isnull=True)
    verifications, _ = PhoneVerification.objects.filter(pk__in=finished.values("pk")).delete()
    return codes, tickets, verifications


def accounts_maintenance(*, now: dt.datetime | None = None) -> MaintenanceResult:
    now = now or timezone.now()
    codes, tickets, verifications = verification_records_purge(now=now)
    return MaintenanceResult(
        codes_deleted=codes,
        tickets_deleted=tickets,
        verifications_deleted=verifications,
        sessions_ended=sessions_end_expired(now=now),
    )
