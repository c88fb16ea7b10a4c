"""What a citizen chooses to tell about themselves. Every field is optional and explained on the form."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import Disability, Gender, PreferredChannel


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
        verbose_name=_("account"),
    )
    governorate = models.ForeignKey(
        "catalog.Governorate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("governorate"),
    )
    district = models.CharField(_("district"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    disability = models.CharField(_("disability"), max_length=16, choices=Disability.choices, blank=True)
    preferred_channel = models.CharField(
        _("preferred way to reach you"), max_length=12, choices=PreferredChannel.choices, blank=True
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    # Consent to count the fields above (never the person) in participation statistics.
    statistics_consent = models.BooleanField(_("may be counted in statistics"), default=False)
    statistics_consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
