"""Send the built-in test message through the normal routing and say what became of it."""

import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bawaba.core.errors import ValidationFailed
from bawaba.notifications.constants import WAITING_STATUSES, Status
from bawaba.notifications.services import send


class Command(BaseCommand):
    help = "Send the provider_test template to a number and wait for a provider to take it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, help="the phone number to send to")
        parser.add_argument("--language", default="ar", choices=["ar", "ckb", "en"])
        parser.add_argument(
            "--channel", default="sms", choices=["sms", "voice", "whatsapp"], help="how to send it (default: sms)"
        )
        parser.add_argument("--label", default=socket.gethostname(), help="text put in the message (default: host)")
        parser.add_argument("--wait", type=float, default=15, help="seconds to wait for an outcome")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            message = send(
                "provider_test",
                to=options["to"],
                values={"provider": options["label"]},
                language=options["language"],
                channel=options["channel"],
                reference="manage.py send_test_message",
            )
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"message {message.pk} stored for {message.recipient} ({message.channel})")
        deadline = time.monotonic() + options["wait"]
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status not in WAITING_STATUSES and message.status != Status.SENDING:
                break
            time.sleep(0.2)
        attempts = ", ".join(f"{a.provider}: {a.outcome} ({a.latency_ms} ms)" for a in message.attempts.all())
        self.stdout.write(f"status {message.status}; tries: {attempts or 'none yet'}")
        if message.status in (Status.SENT, Status.DELIVERED):
            self.stdout.write(self.style.SUCCESS(f"accepted by {message.provider} as {message.provider_reference}"))
        elif message.status in (Status.FAILED, Status.EXPIRED):
            raise CommandError(f"not sent: {message.failure_reason}")
        else:
            self.stdout.write(self.style.WARNING("no outcome yet; are the workers running?"))
