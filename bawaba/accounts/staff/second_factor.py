"""The staff's second factor: an authenticator app (TOTP) or a recovery code, never an SMS code.

Checking codes, setting up the app and making recovery codes are the second_factor module's
(bawaba.accounts.second_factor.services: recovery codes hashed with Argon2id, django-otp's throttling
and single use). What is the staff's own:
- only an authenticator or a recovery code counts (NIST SP 800-63B 5.1.3.3 calls SMS "restricted"; the
  back office reaches citizens' data), so a device of any other kind is refused even when it matches;
- a QR code drawn on the server for setting up the app, with the secret in groups to type instead.
"""

from base64 import b32encode

import segno
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.models import User
from bawaba.accounts.second_factor.services import authenticator_get, recovery_codes_left, second_factor_match

STAFF_DEVICE_KINDS = (TOTPDevice, StaticDevice)


def has_staff_authenticator(user: User) -> bool:
    return authenticator_get(user=user, confirmed=True) is not None


def has_staff_second_factor(user: User) -> bool:
    """Whether the person can prove a second factor here: an authenticator, or recovery codes left."""
    return has_staff_authenticator(user) or recovery_codes_left(user=user) > 0


def staff_second_factor_verify(*, user: User, token: str, request: HttpRequest | None = None) -> Device | None:
    """The authenticator or recovery-code device that accepts `token` (a recovery code is then used up)."""
    device = second_factor_match(user=user, token=token, request=request)
    if device is None or not isinstance(device, STAFF_DEVICE_KINDS):
        return None
    return device


def totp_secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for people who type it instead of scanning."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, drawn on the server: no script, no third party sees the secret."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))
