"""Names and limits of the sessions part of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Session data keys. The row's id travels in the session itself (server-side data, never the cookie), so the
# row is found again after any change of session key and a session that lost its row is known to be dead.
ACCOUNT_SESSION_KEY = "bawaba_account_session"
# When this session last made a request (Unix seconds). The idle limit is judged from it, because a cached
# session store (Redis) keeps a session for its own lifetime and does not check Django's expiry date.
LAST_REQUEST_KEY = "bawaba_last_request"

# "Last active" is written at most once per this many seconds: one write a minute, not one per request.
LAST_SEEN_PRECISION_SECONDS = 60


class EndReason(models.TextChoices):
    """Why a signed-in session ended (AccountSession.end_reason, at most 24 characters)."""

    SIGNED_OUT = "signed_out", _("Signed out")
    IDLE = "idle", _("Not used for a long time")
    ABSOLUTE_LIMIT = "absolute_limit", _("Signed in for too long")
    ENDED_BY_OWNER = "ended_by_owner", _("Ended from the list of sessions")
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("Signed out everywhere")
    SIGNED_IN_AGAIN = "signed_in_again", _("Signed in again on the same device")
    REPLACED = "replaced", _("Another account signed in on the same device")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PHONE_CHANGED = "phone_changed", _("Phone number changed")
    NO_LONGER_VALID = "no_longer_valid", _("No longer valid")
    RECOVERED = "recovered", _("Account recovered")
    SECOND_FACTOR_CHANGED = "second_factor_changed", _("Second step when signing in changed")
    CREDENTIALS_RESET = "credentials_reset", _("Password reset by an administrator")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")
