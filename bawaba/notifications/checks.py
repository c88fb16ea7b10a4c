"""System checks: a production portal whose messages only reach a file is a mistake worth stopping on."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from bawaba.notifications.constants import Channel
from bawaba.notifications.providers.config import provider_configs


@checks.register(checks.Tags.compatibility)
def check_providers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        configs = provider_configs()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="notifications.E001")]
    problems: list[checks.CheckMessage] = []
    if settings.BAWABA_ENV == "production":
        if settings.CELERY_TASK_ALWAYS_EAGER:
            problems.append(
                checks.Warning(
                    "No Celery broker: web requests will deliver messages themselves, one provider call at a time.",
                    hint="Set REDIS_URL (or CELERY_BROKER_URL) and run the workers (docs/notifications.md).",
                    id="notifications.W003",
                )
            )
        for config in configs:
            if config.kind == "outbox":
                problems.append(
                    checks.Warning(
                        f"Provider {config.name!r} writes messages, one-time codes included, to a file.",
                        hint="The outbox provider is for development; remove it from BAWABA_NOTIFY_PROVIDERS.",
                        id="notifications.W004",
                    )
                )
            if config.kind == "smpp" and not config.options.get("private_link"):
                problems.append(
                    checks.Warning(
                        f"Provider {config.name!r} speaks SMPP, which sends codes and its password unencrypted.",
                        hint='Run it over a VPN or leased line to the SMSC and say so with "private_link": true.',
                        id="notifications.W005",
                    )
                )
        sms = [config for config in configs if Channel.SMS in config.channels]
        if not sms or all(config.kind == "outbox" for config in sms):
            problems.append(
                checks.Warning(
                    "SMS messages only go to the outbox file: citizens will receive nothing.",
                    hint="Configure SMPP or HTTP providers in BAWABA_NOTIFY_PROVIDERS (docs/notifications.md).",
                    id="notifications.W001",
                )
            )
        if not [config for config in sms if config.kind != "outbox"][1:]:
            problems.append(
                checks.Warning(
                    "Fewer than two real SMS providers are configured: there is nothing to fail over to.",
                    id="notifications.W002",
                )
            )
    return problems
