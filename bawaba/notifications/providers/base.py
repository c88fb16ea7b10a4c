"""The contract every provider class keeps, so routing and delivery never care which one they talk to.

A provider is configured by the operator (see providers/config.py) and built once per worker process.
`send` hands over one message and returns the provider's own reference for it, or raises:
- PermanentFailure: the provider refused this message for good (bad number, blocked content);
- TemporaryFailure: it did not take the message; `maybe_accepted=True` when the request went out and
  no answer came back, so the provider might have taken it after all (it will not be asked again).
Providers that learn about delivery (SMPP deliver_sm, an HTTP callback) report it through
bawaba.notifications.receipts.record_receipt.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class OutgoingMessage:
    """Everything a provider needs to hand over one message; nothing about who asked for it."""

    message_id: str  # our id; providers pass it on as their client reference where they can
    channel: str  # the channel it goes by: "voice" for an SMS template read out in a call
    to: str  # E.164 for SMS, voice and WhatsApp, an address for e-mail, a subscription for push
    body: str
    subject: str = ""
    sender: str = ""  # SMS sender id or e-mail From, when the template or operator sets one
    priority: str = "normal"
    created_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None  # after this the message is worthless (SMPP validity_period)
    template: str = ""
    language: str = ""
    # The values the text was made from, for voice and WhatsApp messages (VALUES_KEPT_FOR); else empty.
    values: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    reference: str  # the provider's id for the message; receipts are matched on it


class ProviderError(Exception):
    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class PermanentFailure(ProviderError):
    """The provider refused the message for good.

    `final=True` (the default) when the refusal is about the message or its recipient (an invalid
    number, a text too long): no provider will do better and the message fails. `final=False` when it
    is about this provider (our account, sender id, configuration: an unlisted HTTP 4xx): the message
    goes to the next provider, and the refusal counts against this one's health, unless
    `provider_fault=False`: the provider is fine but cannot carry this message (its request needs a
    value the message does not have), so its circuit breaker and health are left alone.
    """

    def __init__(self, message: str, *, code: str = "", final: bool = True, provider_fault: bool = True) -> None:
        super().__init__(message, code=code)
        self.final = final
        self.provider_fault = provider_fault


class TemporaryFailure(ProviderError):
    def __init__(self, message: str, *, code: str = "", maybe_accepted: bool = False) -> None:
        super().__init__(message, code=code)
        self.maybe_accepted = maybe_accepted


class Provider(abc.ABC):
    """One configured provider. Instances live for the life of a worker process and must be thread-safe."""

    kind: ClassVar[str]
    channels: ClassVar[frozenset[str]]

    def __init__(self, name: str, options: dict[str, Any], *, channels: Collection[str] | None = None) -> None:
        self.name = name
        self.options = options
        # The channels the operator gave this provider (a subset of the class's `channels`).
        self.configured_channels = frozenset(self.channels if channels is None else channels)

    @abc.abstractmethod
    def send(self, message: OutgoingMessage, *, timeout: float) -> Accepted:
        """Hand the message over within `timeout` seconds, or raise a ProviderError."""

    def close(self) -> None:  # noqa: B027  (most providers hold nothing open)
        """Release connections; called when the configuration changes and at worker shutdown."""
