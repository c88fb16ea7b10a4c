"""Create (once) and print the demo accounts for `make run`. Passwords are random per checkout, kept under var/."""

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.accounts.models import User
from bawaba.catalog.models import Department, DepartmentEditor
from config.env import VAR_DIR

DEMO_ACCOUNTS = [
    {"username": "admin", "role": "operator (all departments)", "superuser": True, "department": None},
    {
        "username": "editor.interior",
        "role": "catalogue editor, Ministry of Interior",
        "superuser": False,
        "department": "interior",
    },
    {
        "username": "editor.health",
        "role": "catalogue editor, Ministry of Health",
        "superuser": False,
        "department": "health",
    },
]


class Command(BaseCommand):
    help = "Create the demo accounts if missing and print how to sign in with them (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.BAWABA_ENV == "production":
            raise CommandError("Demo accounts are never created in production.")
        path = VAR_DIR / "demo_accounts.json"
        passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for account in DEMO_ACCOUNTS:
            username = str(account["username"])
            password = passwords.setdefault(username, secrets.token_urlsafe(12))
            user, created = User.objects.get_or_create(username=username)
            if created or not user.check_password(password):
                user.set_password(password)
            user.is_staff = True
            user.is_superuser = bool(account["superuser"])
            user.save()
            if account["department"]:
                department = Department.objects.filter(slug=account["department"]).first()
                if department:
                    DepartmentEditor.objects.get_or_create(user=user, department=department)
            self.stdout.write(f"  {username:<16} {password:<18} {account['role']}")
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(passwords, indent=2))
        path.chmod(0o600)
