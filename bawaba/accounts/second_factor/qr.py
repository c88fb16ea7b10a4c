"""The authenticator app's set-up details: the otpauth:// address, its QR code (inline SVG made here, so no
image request and no third party ever sees the secret) and the secret in groups of four for typing."""

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode().rstrip("=")


def secret_groups(device: TOTPDevice) -> str:
    """'JBSW Y3DP EHPK 3PXP …': easier to copy by hand than one long string."""
    secret = secret_base32(device)
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def otpauth_url(device: TOTPDevice, *, account_label: str) -> str:
    """Key URI format (github.com/google/google-authenticator/wiki/Key-Uri-Format), labelled with the number
    so the person recognises the account in their app."""
    issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "Bawaba")).replace(":", "")
    query = urlencode(
        {
            "secret": secret_base32(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(issuer)}:{quote(account_label)}?{query}"


def qr_svg(data: str, *, title: str) -> str:
    """An inline <svg> of the QR code, with a text alternative."""
    svg: str = segno.make(data, error="m").svg_inline(scale=5, title=title, dark="#000", light="#fff")
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
