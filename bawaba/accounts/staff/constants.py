"""Choices and limits of the staff sign-in and of in-person verification."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityDocument(models.TextChoices):
    """What a clerk may accept as proof of identity at a service centre. Only the kind is kept, never a number."""

    NATIONAL_CARD = "national_card", _("National card (unified ID)")
    CIVIL_STATUS_ID = "civil_status_id", _("Civil status ID (old identity card)")
    PASSPORT = "passport", _("Passport")


# Password step: like the admin's sign-in before it (ASVS 6.3.1). Per address slows a guesser; per
# account stops one spread over many addresses. Fixed windows in the cache (bawaba.core.ratelimit).
SIGN_IN_ATTEMPTS_PER_ADDRESS = 20
SIGN_IN_ATTEMPTS_PER_ACCOUNT = 10
SIGN_IN_WINDOW_SECONDS = 15 * 60
# Second-factor step: wrong codes per pending sign-in before the password is asked again, and codes
# per account per window (on top of django-otp's growing waits per device).
PENDING_WRONG_CODES = 5
CODE_ATTEMPTS_PER_ACCOUNT = 10
# Between the right password and the last step: long enough to install an authenticator app.
PENDING_SECONDS = 15 * 60
# In-person look-ups per clerk per hour: a stolen clerk session must not become a number directory.
IN_PERSON_LOOKUPS_PER_HOUR = 30
