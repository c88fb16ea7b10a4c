"""Writing the account's history: one call per event, never an update or a delete."""

from typing import Any

from django.http import HttpRequest

from bawaba.accounts.models import AccountEvent, User
from bawaba.core.ratelimit import client_address


def account_event_record(
    *, user: User, kind: str, request: HttpRequest | None = None, actor: User | None = None, **data: Any
) -> AccountEvent:
    return AccountEvent.objects.create(
        user=user,
        kind=kind,
        client_address=client_address(request)[:45] if request is not None else "",
        actor=actor,
        data=data,
    )
