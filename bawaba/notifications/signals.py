"""Rebuild providers when their settings change (tests override them) and close them when a worker stops."""

from typing import Any

from celery.signals import worker_process_shutdown
from django.core.signals import setting_changed
from django.dispatch import receiver

from bawaba.notifications.providers.config import reset_providers

PROVIDER_SETTINGS = {"BAWABA_NOTIFY_PROVIDERS", "BAWABA_OUTBOX_FILE"}


@receiver(setting_changed)
def _providers_setting_changed(setting: str, **kwargs: Any) -> None:
    if setting in PROVIDER_SETTINGS:
        reset_providers()


@worker_process_shutdown.connect
def _close_providers(**kwargs: Any) -> None:
    reset_providers()
