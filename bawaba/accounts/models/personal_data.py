"""Every time a member of staff viewed a citizen's personal data: who, when, why and what. Append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_data_accesses",
        verbose_name=_("citizen"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("staff member")
    )
    # Kept as written at the time, so the log still says who it was after the staff account is gone.
    staff_name = models.CharField(_("staff member"), max_length=150)
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    reason = models.CharField(_("why"), max_length=300)
    what = models.CharField(_("what was viewed"), max_length=200)
    viewed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["citizen", "-viewed_at"], name="accounts_access_citizen_time")]

    def __str__(self) -> str:
        return f"{self.staff_name} · {self.what} · {self.viewed_at:%Y-%m-%d %H:%M}"
