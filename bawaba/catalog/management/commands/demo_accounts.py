"""Create (once) and print the demo staff accounts for `make run`, with their roles.

Passwords are random per checkout, kept under var/. Every staff sign-in asks for a second factor, so
each account sets up an authenticator app at its first sign-in; the command says how.
"""

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.catalog.models import Department
from config.env import VAR_DIR

# (username, full name, what to print, superuser, [(role, department slug or None)])
DEMO_ACCOUNTS: list[tuple[str, str, str, bool, list[tuple[str, str | None]]]] = [
    ("admin", "Demo superuser", "superuser: everything, every department", True, []),
    (
        "national.admin",
        "Demo national administrator",
        "national administrator: manages every staff role, sees citizens' accounts",
        False,
        [(StaffRoleKind.NATIONAL_ADMIN, None)],
    ),
    (
        "admin.interior",
        "Demo department administrator",
        "department administrator, Ministry of Interior: manages its staff roles",
        False,
        [(StaffRoleKind.DEPARTMENT_ADMIN, "interior")],
    ),
    (
        "editor.interior",
        "Demo content editor (Interior)",
        "content editor, Ministry of Interior: its catalogue",
        False,
        [(StaffRoleKind.CONTENT_EDITOR, "interior")],
    ),
    (
        "editor.health",
        "Demo content editor (Health)",
        "content editor, Ministry of Health: its catalogue",
        False,
        [(StaffRoleKind.CONTENT_EDITOR, "health")],
    ),
    (
        "officer.interior",
        "Demo case officer",
        "case officer, Ministry of Interior: verifies numbers in person at a service centre",
        False,
        [(StaffRoleKind.CASE_OFFICER, "interior")],
    ),
    (
        "supervisor.interior",
        "Demo supervisor",
        "supervisor, Ministry of Interior",
        False,
        [(StaffRoleKind.SUPERVISOR, "interior")],
    ),
    (
        "analyst.health",
        "Demo analyst",
        "analyst, Ministry of Health",
        False,
        [(StaffRoleKind.ANALYST, "health")],
    ),
]


class Command(BaseCommand):
    help = "Create the demo staff accounts if missing and print how to sign in with them (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.BAWABA_ENV == "production":
            raise CommandError("Demo accounts are never created in production.")
        path = VAR_DIR / "demo_accounts.json"
        passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        with translation.override("en"):
            sign_in_path = reverse("accounts:staff_sign_in")
            in_person_path = reverse("accounts:staff_verify_in_person")
        self.stdout.write(f"  Staff sign in at {sign_in_path} (demo accounts below).")
        self.stdout.write(
            "  First sign-in of each: after the password, scan the QR code with an authenticator app "
            "(FreeOTP, Google or Microsoft Authenticator),"
        )
        self.stdout.write(
            "  type the 6-digit code it shows, and keep the recovery codes shown once. "
            "Later sign-ins ask for the app's code."
        )
        for username, full_name, description, superuser, roles in DEMO_ACCOUNTS:
            password = passwords.setdefault(username, secrets.token_urlsafe(12))
            user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
            if created or not user.check_password(password):
                user.set_password(password)
            user.is_staff = True
            user.is_superuser = superuser
            user.save()
            for role, slug in roles:
                department = Department.objects.filter(slug=slug).first() if slug else None
                if slug and department is None:
                    continue  # the demo catalogue is not loaded: the account exists without this role
                StaffRole.objects.get_or_create(user=user, role=role, department=department)
            self.stdout.write(f"  {username:<20} {password:<18} {description}")
        self.stdout.write(f"  Case officers verify a sign-up's number in person at {in_person_path}.")
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(passwords, indent=2))
        path.chmod(0o600)
