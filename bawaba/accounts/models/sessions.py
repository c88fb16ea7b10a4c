"""Signed-in sessions a person can see and end: one row per sign-in, beside Django's session store."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions", verbose_name=_("account")
    )
    # The key in Django's session store, needed to end the session from elsewhere ("log out everywhere").
    session_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=24, blank=True)
    client_address = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser or app"), max_length=200, blank=True)
    with_second_factor = models.BooleanField(_("second factor used"), default=False)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "ended_at"], name="accounts_session_user_open")]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
