"""The account's append-only history: what happened to it, when and from where. Shown in "My data"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import AccountEventKind


class AccountEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("account")
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=AccountEventKind.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    client_address = models.CharField(_("from address"), max_length=45, blank=True)
    # Who did it when it was not the account holder (a member of staff, the system).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_event_user_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
