"""One-time codes and tickets: how they are made, stored and compared (NIST SP 800-63B 5.1.3, ASVS 5.0 V6.6).

A code is six digits from the operating system's CSPRNG. Only an HMAC of it is stored, keyed by a key
derived from SECRET_KEY and binding the verification's id, so a leaked table row proves nothing and a
code sent for one verification can never prove another. A ticket is 256 random bits held by the client;
only its SHA-256 is stored.
"""

import hashlib
import re
import secrets
import uuid

from django.utils.crypto import constant_time_compare, salted_hmac

from bawaba.accounts.constants import CODE_DIGITS
from bawaba.core.text import normalize_digits

# Separates this HMAC's key from every other use of SECRET_KEY (Django derives the key from salt + secret).
CODE_KEY_SALT = "bawaba.accounts.verification.code"
TICKET_BYTES = 32
# What a person may type around the digits: spaces, dashes, dots (as in "482 913" or "482-913").
_CODE_SEPARATORS = re.compile(r"[\s\-.\u00a0\u200f\u200e]")


def code_generate() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(*, verification_id: uuid.UUID | str, code: str) -> str:
    return salted_hmac(CODE_KEY_SALT, f"{verification_id}:{code}", algorithm="sha256").hexdigest()


def code_matches(*, digest: str, verification_id: uuid.UUID | str, code: str) -> bool:
    """Constant time, so how long the comparison takes tells nothing about how many characters matched."""
    return constant_time_compare(digest, code_digest(verification_id=verification_id, code=code))


def code_clean(raw: str) -> str:
    """The digits a person typed, from any script ("٤٨٢ ٩١٣" is "482913"); "" when it cannot be a code."""
    text = _CODE_SEPARATORS.sub("", normalize_digits(str(raw or "")))
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        return ""
    return text


def ticket_generate() -> tuple[str, str]:
    """A new ticket: the secret for the client, and the digest to store."""
    secret = secrets.token_urlsafe(TICKET_BYTES)
    return secret, ticket_digest(secret)


def ticket_digest(secret: str) -> str:
    return hashlib.sha256(str(secret).encode("utf-8", "surrogatepass")).hexdigest()
