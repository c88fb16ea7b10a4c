"""Notifications: which providers carry messages, and how hard the portal tries before giving up.

Providers are the operator's business: BAWABA_NOTIFY_PROVIDERS holds them as JSON, or
BAWABA_NOTIFY_PROVIDERS_FILE names a JSON file (see bawaba/notifications/providers/config.py and
docs/notifications.md). Without either, every message goes to the outbox file.
"""

import json
from pathlib import Path

from config.env import VAR_DIR, env_str
from config.settings.base import BAWABA_ENV

_providers_json = env_str("BAWABA_NOTIFY_PROVIDERS")
_providers_file = env_str("BAWABA_NOTIFY_PROVIDERS_FILE")
if _providers_file:
    _providers_json = Path(_providers_file).read_text(encoding="utf-8")
BAWABA_NOTIFY_PROVIDERS = json.loads(_providers_json) if _providers_json else None

BAWABA_OUTBOX_FILE = Path(env_str("BAWABA_OUTBOX_FILE", str(VAR_DIR / "outbox.jsonl")))
# The page listing outbox messages exists in development only.
BAWABA_NOTIFY_DEV_PAGES = BAWABA_ENV == "dev"

# How long one provider gets to accept a message before the next one is asked (seconds).
BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT = float(env_str("BAWABA_NOTIFY_URGENT_ATTEMPT_TIMEOUT", "2"))
BAWABA_NOTIFY_NORMAL_ATTEMPT_TIMEOUT = float(env_str("BAWABA_NOTIFY_NORMAL_ATTEMPT_TIMEOUT", "20"))
# An urgent message without its own expiry is dropped after this long (a one-time code is worthless by then).
BAWABA_NOTIFY_URGENT_TTL = int(env_str("BAWABA_NOTIFY_URGENT_TTL", "600"))
# A normal message keeps being retried, with growing waits, for this long.
BAWABA_NOTIFY_NORMAL_TTL = int(env_str("BAWABA_NOTIFY_NORMAL_TTL", str(24 * 3600)))
# Receipts slower than this (seconds, 90th percentile) count against a provider's health.
BAWABA_NOTIFY_SLOW_DELIVERY = int(env_str("BAWABA_NOTIFY_SLOW_DELIVERY", "60"))
