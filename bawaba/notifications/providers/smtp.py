"""E-mail through an SMTP server, using Django's e-mail backends.

Options (all optional; Django's EMAIL_* settings fill the gaps):
    {"name": "mail", "kind": "smtp", "channels": ["email"],
     "options": {"host": "smtp.gov.iq", "port": 587, "username": "bawaba",
                 "password_env": "SMTP_PASSWORD", "use_tls": true, "use_ssl": false,
                 "from_email": "Bawaba <no-reply@bawaba.gov.iq>",
                 "backend": "django.core.mail.backends.smtp.EmailBackend"}}

A fresh connection per message keeps the timeout exact and needs no locking; e-mail volumes are far
below SMS ones. The reference is the Message-ID header we generate, so bounces can be matched later.
"""

from __future__ import annotations

import smtplib
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    PermanentFailure,
    Provider,
    TemporaryFailure,
)

CONNECTION_OPTIONS = ("host", "port", "username", "password", "use_tls", "use_ssl", "ssl_keyfile", "ssl_certfile")


class SmtpProvider(Provider):
    kind = "smtp"
    channels = frozenset({Channel.EMAIL.value})

    def __init__(self, name: str, options: dict[str, Any], *, channels: Collection[str] | None = None) -> None:
        super().__init__(name, options, channels=channels)
        secure = options.get("use_tls", settings.EMAIL_USE_TLS) or options.get("use_ssl", settings.EMAIL_USE_SSL)
        if settings.BAWABA_ENV == "production" and not secure:
            # Mail carries codes and case updates; a password and its contents must not cross in clear.
            raise ImproperlyConfigured(f"Provider {name!r}: set use_tls or use_ssl for SMTP in production")

    def _connection(self, timeout: float) -> Any:
        options = {key: self.options[key] for key in CONNECTION_OPTIONS if key in self.options}
        backend = self.options.get("backend", "django.core.mail.backends.smtp.EmailBackend")
        return get_connection(backend, fail_silently=False, timeout=timeout, **options)

    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        domain = str(self.options.get("message_id_domain") or "bawaba.local")
        message_id = make_msgid(idstring=message.message_id.replace("-", ""), domain=domain)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=message.sender or self.options.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        )
        connection = self._connection(timeout)
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            # Nothing was handed over yet: the server was not reachable or refused us.
            raise TemporaryFailure(f"Could not connect to the mail server: {exc}", code="smtp_connect") from exc
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):
                raise TemporaryFailure("The mail server deferred the recipient", code="smtp_4xx") from exc
            raise PermanentFailure("The mail server refused the address", code="smtp_recipient") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(f"The mail server said try later ({exc.smtp_code})", code="smtp_4xx") from exc
            raise PermanentFailure(
                f"The mail server refused the message ({exc.smtp_code})", code="smtp_5xx", final=False
            ) from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            # The message may have been written before the line dropped.
            raise TemporaryFailure(
                f"The mail server stopped answering: {exc}", code="smtp_lost", maybe_accepted=True
            ) from exc
        finally:
            try:
                connection.close()
            except Exception:  # noqa: S110  (closing a broken connection must not hide the outcome)
                pass
        return Accepted(reference=message_id.strip("<>"))
