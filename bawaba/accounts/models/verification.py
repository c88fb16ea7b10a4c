"""Proving that a person holds a mobile number: a verification, the codes sent for it, and tickets.

- A `PhoneVerification` is one open question "does this person hold +964…?" for one purpose. Coming back
  with the same number finds the same pending verification, so its counters (codes sent, failed
  attempts, waits) carry on: nobody starts over and nobody escapes a limit by starting again.
- A `VerificationCode` is one code sent for it. Any unexpired, unused code of the verification is
  accepted, so a late SMS still works after a resend.
- A `VerificationTicket` is one browser's or app's handle on a verification: the secret it holds (in
  its session, or in the API's `ticket`) and, for a sign-up, the name and password it chose. Whoever
  proves the code with their ticket gets their own choices applied, never someone else's.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import CodeChannel, VerificationPurpose, VerificationStatus


class PhoneVerification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=VerificationPurpose.choices)
    phone = models.CharField(_("mobile number"), max_length=16, db_index=True)
    # The account concerned: the new account for a sign-up, the requester for a phone change, the
    # number's account (if any) for recovery. None for recovery of a number with no account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="phone_verifications",
        verbose_name=_("account"),
    )
    # "purpose:phone:user id": at most one pending verification per key (see the constraint).
    subject_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    codes_sent = models.PositiveIntegerField(_("codes sent"), default=0)
    last_code_sent_at = models.DateTimeField(_("last code sent"), null=True, blank=True)
    next_code_allowed_at = models.DateTimeField(_("next code allowed"), null=True, blank=True)

    # Wrong codes from every ticket, counted for the verification and never reset by a new code or ticket:
    # the ceiling that bounds guessing (limits.VERIFICATION_MAX_ATTEMPTS). The waits are per ticket.
    failed_attempts = models.PositiveIntegerField(_("wrong codes"), default=0)
    last_failed_at = models.DateTimeField(_("last wrong code"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"],
                condition=Q(status=VerificationStatus.PENDING),
                name="accounts_one_pending_verification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone}"


class VerificationCode(models.Model):
    verification = models.ForeignKey(
        PhoneVerification, on_delete=models.CASCADE, related_name="codes", verbose_name=_("verification")
    )
    # Copied from the verification so that "codes to this number in the last hour" is one index scan.
    phone = models.CharField(_("mobile number"), max_length=16)
    # HMAC of the code, keyed by the secret key and the verification: the code itself is never stored.
    code_digest = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=CodeChannel.choices, default=CodeChannel.SMS)
    # The notifications app's message that carries it, for the delivery status shown while waiting.
    message_id = models.UUIDField(_("message"), null=True, blank=True)
    # Who asked for it, for the daily cap per address. Kept as long as the code row (purged after 30 days).
    client_address = models.CharField(_("requested from"), max_length=45, blank=True)
    created_at = models.DateTimeField(_("sent"), db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="accounts_code_phone_time"),
            models.Index(fields=["client_address", "created_at"], name="accounts_code_address_time"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} · {self.created_at:%Y-%m-%d %H:%M}"


class VerificationTicket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verification = models.ForeignKey(
        PhoneVerification, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("verification")
    )
    # SHA-256 of the secret the client holds; the secret itself is shown once and never stored.
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # A sign-up's choices, applied to the account by whichever ticket proves the code.
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    password = models.CharField(_("password"), max_length=128, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    # Set when this ticket proved the code; a recovery then lets it set a new password once.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # The client address that asked for the ticket (an IPv6 address as its /64). Wrong codes are counted
    # here too, and the waits and the stop they bring apply to this ticket and to the other tickets of the
    # same verification from the same address, never to the owner's ticket from elsewhere (decision 0010).
    client_address = models.CharField(_("requested from"), max_length=45, blank=True)
    failed_attempts = models.PositiveIntegerField(_("wrong codes"), default=0)
    attempts_blocked_until = models.DateTimeField(_("next try allowed"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification ticket")
        verbose_name_plural = _("verification tickets")

    def __str__(self) -> str:
        return f"{self.verification} · {self.created_at:%Y-%m-%d %H:%M}"
