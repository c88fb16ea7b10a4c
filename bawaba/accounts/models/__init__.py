"""The accounts app's models, one module per concern; import them from here."""

from bawaba.accounts.models.events import AccountEvent
from bawaba.accounts.models.personal_data import PersonalDataAccess
from bawaba.accounts.models.profile import Profile
from bawaba.accounts.models.sessions import AccountSession
from bawaba.accounts.models.staff import StaffRole
from bawaba.accounts.models.user import User
from bawaba.accounts.models.verification import PhoneVerification, VerificationCode, VerificationTicket

__all__ = [
    "AccountEvent",
    "AccountSession",
    "PersonalDataAccess",
    "PhoneVerification",
    "Profile",
    "StaffRole",
    "User",
    "VerificationCode",
    "VerificationTicket",
]
