"""Choices and limits of the accounts app, in one place so services, views and the API agree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationPurpose(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    PHONE_CHANGE = "phone_change", _("Change of phone number")
    RECOVERY = "recovery", _("Account recovery")
    SECOND_FACTOR = "second_factor", _("Sign-in code")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the code")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_VERIFICATION_STATUSES = frozenset({VerificationStatus.PENDING})


class CodeChannel(models.TextChoices):
    """How a one-time code travels. `sms_other` asks for a different SMS provider than the last code's."""

    SMS = "sms", _("SMS")
    SMS_OTHER = "sms_other", _("SMS through another provider")
    VOICE = "voice", _("Voice call")
    WHATSAPP = "whatsapp", _("WhatsApp")


class AccountEventKind(models.TextChoices):
    SIGNUP_STARTED = "signup_started", _("Sign-up started")
    PHONE_VERIFIED = "phone_verified", _("Phone number verified")
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGNED_OUT = "signed_out", _("Signed out")
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("Signed out everywhere")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PHONE_CHANGED = "phone_changed", _("Phone number changed")
    RECOVERED = "recovered", _("Account recovered")
    SECOND_FACTOR_ADDED = "second_factor_added", _("Second factor added")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
    RECOVERY_CODES_CREATED = "recovery_codes_created", _("Recovery codes created")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PROFILE_CHANGED = "profile_changed", _("Profile changed")
    DATA_EXPORTED = "data_exported", _("Personal data downloaded")
    DELETED = "deleted", _("Account deleted")
    ROLE_GRANTED = "role_granted", _("Staff role granted")
    ROLE_REVOKED = "role_revoked", _("Staff role revoked")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Disability(models.TextChoices):
    """Washington Group short set domains, so figures compare with national surveys."""

    NONE = "none", _("No difficulty")
    SEEING = "seeing", _("Difficulty seeing")
    HEARING = "hearing", _("Difficulty hearing")
    WALKING = "walking", _("Difficulty walking or climbing steps")
    REMEMBERING = "remembering", _("Difficulty remembering or concentrating")
    SELF_CARE = "self_care", _("Difficulty with self-care")
    COMMUNICATING = "communicating", _("Difficulty communicating")


class PreferredChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class StaffRoleKind(models.TextChoices):
    CONTENT_EDITOR = "content_editor", _("Content editor")
    CASE_OFFICER = "case_officer", _("Case officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    DATA_PUBLISHER = "data_publisher", _("Data publisher")
    ANALYST = "analyst", _("Analyst")
    OPERATOR = "operator", _("Operator")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


# Roles that hold across every department; the others are granted for one department.
NATIONAL_ROLES = frozenset({StaffRoleKind.OPERATOR, StaffRoleKind.NATIONAL_ADMIN})

# One-time codes: NIST SP 800-63B 5.1.3 (out-of-band) and ASVS 5.0 V6.6.
CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 5 * 60
