"""The portal's user: a citizen who signs in with a mobile number, or a member of staff."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Citizens get a generated `username` ("c-" and their public id) and sign in with `phone`; staff sign in
    with their username. `public_id` is what other systems may see (OIDC `sub` is derived from it later);
    the database id never leaves the portal."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    # E.164 ("+9647701234567"), always written by bawaba.notifications.recipients.normalise_phone.
    phone = models.CharField(_("mobile number"), max_length=16, unique=True, null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    # Sign-in failures from clients without a trusted-device cookie (docs/decisions/0011).
    failed_sign_ins = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    last_failed_sign_in_at = models.DateTimeField(_("last failed sign-in"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_phone_verified(self) -> bool:
        return self.phone_verified_at is not None

    def __str__(self) -> str:
        return self.full_name or self.phone or self.username
