"""Signing staff in to the admin in tests, the way the admin site requires at the time.

The admin lets in only sessions opened by the staff sign-in with a second factor (bawaba.core.admin_site,
issue 4). `tests.factories.with_staff_second_factor` marks a user as that sign-in does; where it does
not exist yet, a plain force_login is what the admin accepts.
"""

from typing import Any

from django.test import Client

from tests import factories


def log_in(client: Client, user: Any) -> Client:
    mark = getattr(factories, "with_staff_second_factor", None)
    client.force_login(mark(user) if mark is not None else user)
    return client
