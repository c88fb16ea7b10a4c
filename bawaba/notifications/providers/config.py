"""Which providers exist: read from the operator's configuration, never from code.

BAWABA_NOTIFY_PROVIDERS (a list of dicts in settings; from the environment as JSON, or from the file
named by BAWABA_NOTIFY_PROVIDERS_FILE) describes each provider:

    {"name": "asiacell", "kind": "smpp", "channels": ["sms"], "weight": 60,
     "options": {"host": "smsc.example.iq", "port": 2775, "system_id": "bawaba",
                 "password_env": "ASIACELL_SMPP_PASSWORD"}}

"channels" lists what the provider carries (default ["sms"]); each kind accepts only the channels its
class declares (Provider.channels): outbox every channel, smpp sms, http sms, voice and whatsapp, smtp
email. A provider carries each of its channels with the same options, so a gateway whose voice or
WhatsApp API differs from its SMS API is configured as one more provider, with its own name, health and
circuit breaker.

An option whose key ends in `_env` names an environment variable; its value is read from there at
start-up and given to the provider under the key without the suffix, so secrets stay out of files.
Without any configuration every channel goes to the outbox provider (the embedded default).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.base import Provider

PROVIDER_KINDS = {
    "outbox": "bawaba.notifications.providers.outbox.OutboxProvider",
    "smpp": "bawaba.notifications.providers.smpp.SmppProvider",
    "http": "bawaba.notifications.providers.http_gateway.HttpGatewayProvider",
    "smtp": "bawaba.notifications.providers.smtp.SmtpProvider",
}

DEFAULT_PROVIDERS: list[dict[str, Any]] = [
    {"name": "outbox", "kind": "outbox", "channels": [c.value for c in Channel], "weight": 100},
]


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    kind: str
    channels: tuple[str, ...]
    weight: int
    # Holds credentials: kept out of repr(), so a traceback or error report never shows them.
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False, repr=False)


def _resolve_options(name: str, options: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, value in options.items():
        if key.endswith("_env"):
            if value not in os.environ:
                raise ImproperlyConfigured(f"Provider {name!r}: environment variable {value!r} is not set")
            resolved[key.removesuffix("_env")] = os.environ[value]
        elif isinstance(value, dict):
            resolved[key] = _resolve_options(name, value)
        else:
            resolved[key] = value
    return resolved


def provider_class(kind: str) -> type[Provider]:
    cls: type[Provider] = import_string(PROVIDER_KINDS[kind])
    return cls


def parse_configuration(raw: list[dict[str, Any]]) -> list[ProviderConfig]:
    configs: list[ProviderConfig] = []
    seen: set[str] = set()
    for entry in raw:
        name = str(entry.get("name") or "")
        kind = str(entry.get("kind") or "")
        if not name or name in seen:
            raise ImproperlyConfigured(f"Every notification provider needs a unique name (got {name!r})")
        if kind not in PROVIDER_KINDS:
            raise ImproperlyConfigured(f"Provider {name!r}: unknown kind {kind!r}; known: {sorted(PROVIDER_KINDS)}")
        channels = tuple(entry.get("channels") or [Channel.SMS.value])
        unknown = set(channels) - set(Channel.values)
        if unknown:
            raise ImproperlyConfigured(f"Provider {name!r}: unknown channels {sorted(unknown)}")
        # Each kind says which channels it can carry (Provider.channels): an SMSC cannot place a call.
        carried = provider_class(kind).channels
        if set(channels) - carried:
            raise ImproperlyConfigured(
                f"Provider {name!r}: a {kind} provider cannot carry {sorted(set(channels) - carried)};"
                f" it carries {sorted(carried)}"
            )
        weight = int(entry.get("weight", 100))
        if weight < 0:
            raise ImproperlyConfigured(f"Provider {name!r}: weight must be 0 or more")
        seen.add(name)
        configs.append(ProviderConfig(name, kind, channels, weight, _resolve_options(name, entry.get("options") or {})))
    return configs


_lock = threading.RLock()  # get_provider holds it while provider_config may load the configuration
_configs: list[ProviderConfig] | None = None
_instances: dict[str, Provider] = {}


def provider_configs() -> list[ProviderConfig]:
    global _configs
    if _configs is None:
        with _lock:
            if _configs is None:
                _configs = parse_configuration(getattr(settings, "BAWABA_NOTIFY_PROVIDERS", None) or DEFAULT_PROVIDERS)
    return _configs


def providers_for(channel: str) -> list[ProviderConfig]:
    return [config for config in provider_configs() if channel in config.channels]


def provider_config(name: str) -> ProviderConfig | None:
    return next((config for config in provider_configs() if config.name == name), None)


def get_provider(name: str) -> Provider:
    """The process-wide instance of a configured provider, built on first use."""
    instance = _instances.get(name)
    if instance is not None:
        return instance
    with _lock:
        if name not in _instances:
            config = provider_config(name)
            if config is None:
                raise ImproperlyConfigured(f"No notification provider is named {name!r}")
            _instances[name] = provider_class(config.kind)(config.name, config.options, channels=config.channels)
        return _instances[name]


def reset_providers() -> None:
    """Forget the configuration and close every provider (settings changed, or a worker is stopping)."""
    global _configs
    with _lock:
        for instance in _instances.values():
            instance.close()
        _instances.clear()
        _configs = None
