"""`make run` prints the demo staff, each with their role and how to set up the second factor."""

import io
import json

from django.core.management import call_command

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.catalog.management.commands import demo_accounts


def test_demo_staff_get_their_roles_and_instructions(monkeypatch, tmp_path, interior, health):
    monkeypatch.setattr(demo_accounts, "VAR_DIR", tmp_path)
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    printed = out.getvalue()
    roles = sorted(StaffRole.objects.values_list("user__username", "role", "department__slug"))
    assert roles == [
        ("admin.interior", StaffRoleKind.DEPARTMENT_ADMIN, "interior"),
        ("analyst.health", StaffRoleKind.ANALYST, "health"),
        ("editor.health", StaffRoleKind.CONTENT_EDITOR, "health"),
        ("editor.interior", StaffRoleKind.CONTENT_EDITOR, "interior"),
        ("national.admin", StaffRoleKind.NATIONAL_ADMIN, None),
        ("officer.interior", StaffRoleKind.CASE_OFFICER, "interior"),
        ("supervisor.interior", StaffRoleKind.SUPERVISOR, "interior"),
    ]
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    passwords = json.loads((tmp_path / "demo_accounts.json").read_text())
    assert User.objects.get(username="officer.interior").check_password(passwords["officer.interior"])
    assert "/en/staff/sign-in/" in printed
    assert "authenticator app" in printed
    assert "recovery codes" in printed
    for username, password in passwords.items():
        assert f"  {username:<20} {password:<18} " in printed

    # Again: nothing doubled, the same passwords.
    call_command("demo_accounts", stdout=io.StringIO())
    assert StaffRole.objects.count() == len(roles)
    assert json.loads((tmp_path / "demo_accounts.json").read_text()) == passwords
