"""Second factors on django-otp devices: TOTP (authenticator app) and static recovery codes.

The functions other parts of the accounts app call: whether a person has a second factor, and
checking a code against all of theirs. The second_factor lane grows this module (enrolment, SMS).
"""

from django_otp import devices_for_user, match_token

from bawaba.accounts.models import User


def user_has_second_factor(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def second_factor_verify(*, user: User, token: str) -> bool:
    """Whether `token` is a valid code from one of the person's confirmed devices; a recovery code is used up."""
    token = token.strip().replace(" ", "").replace("-", "")
    if not token:
        return False
    return match_token(user, token) is not None
