"""The embedded default: every message, of any channel, becomes one JSON line in a file.

Nothing leaves the machine, so development and demos need no gateway; the dev-only outbox page shows
what was "sent". Lines are appended under an exclusive lock, so concurrent workers never interleave.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.base import Accepted, OutgoingMessage, Provider, TemporaryFailure


def outbox_path() -> Path:
    return Path(settings.BAWABA_OUTBOX_FILE)


class OutboxProvider(Provider):
    kind = "outbox"
    channels = frozenset(Channel.values)

    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        record: dict[str, Any] = {
            "message_id": message.message_id,
            "channel": message.channel,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "sender": message.sender,
            "template": message.template,
            "language": message.language,
            "priority": message.priority,
            "created_at": message.created_at.isoformat() if message.created_at else None,
            "sent_at": timezone.now().isoformat(),
            "provider": self.name,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        path = Path(self.options.get("path") or outbox_path())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    handle.write(line)
                    handle.flush()
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError as exc:
            raise TemporaryFailure(f"Could not write the outbox file: {exc}", code="outbox_unwritable") from exc
        return Accepted(reference=f"outbox-{message.message_id}")


def recent_outbox(limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` messages in the outbox file, newest first (reads only the file's tail)."""
    path = outbox_path()
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        chunk = min(size, 256 * 1024)
        handle.seek(size - chunk)
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    if chunk < size:
        lines = lines[1:]  # the first line read may be cut
    records: list[dict[str, Any]] = []
    for line in reversed(lines):
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
        if len(records) >= limit:
            break
    return records
