"""Staff roles: what a member of staff may do, and in which department (national roles: everywhere)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import NATIONAL_ROLES, StaffRoleKind


class StaffRole(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("staff member")
    )
    role = models.CharField(_("role"), max_length=24, choices=StaffRoleKind.choices)
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("department"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(department__isnull=False),
                name="accounts_role_once_per_department",
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(department__isnull=True), name="accounts_national_role_once"
            ),
            # National roles have no department; every other role has exactly one.
            models.CheckConstraint(
                condition=Q(role__in=sorted(NATIONAL_ROLES), department__isnull=True)
                | (~Q(role__in=sorted(NATIONAL_ROLES)) & Q(department__isnull=False)),
                name="accounts_role_department_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.department}" if self.department_id else "")
