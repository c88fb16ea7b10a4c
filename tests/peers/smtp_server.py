"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records mail and can refuse it on request."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RecordingHandler:
    received: list[Message] = field(default_factory=list)
    rcpt_reply: str = ""  # e.g. "550 5.1.1 No such user" to refuse every recipient
    data_reply: str = ""  # e.g. "451 4.3.0 Try later" to refuse the message after DATA

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


class SmtpPeer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpPeer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Message]:
        return self.handler.received
