"""/api/v1/accounts/: sign-up, verification, recovery and phone changes for the mobile app and partners.

One module of endpoints per flow; each calls the accounts app's services and nothing else.
"""

from ninja import Router

from bawaba.api.accounts import phone_change, recovery, signup

router = Router()
router.add_router("", signup.router)
router.add_router("", recovery.router)
router.add_router("", phone_change.router)
