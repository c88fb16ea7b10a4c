"""Celery: a Redis broker when REDIS_URL is set, otherwise tasks run in-process (the embedded mode)."""

from config.env import VAR_DIR, env_bool, env_str
from config.settings.base import BAWABA_ENV
from config.settings.cache import REDIS_URL

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
# Tests run tasks in-process even when Redis is configured (CI's PostgreSQL + Redis leg); the tests
# that exercise real workers switch this off and start their own.
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", BAWABA_ENV == "test" or not (REDIS_URL or env_str("CELERY_BROKER_URL"))
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Baghdad"

# Fail fast when the broker is down or silent: the message is already in the database and the
# sweeper will queue it again, so a web request must not hang on Redis. One try, two seconds at most;
# dispatch.py then stops publishing for a few seconds so a transaction with many messages waits once.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2, "visibility_timeout": 3600}

# Queues: urgent (one-time codes) never waits behind normal mail; receipts and periodic work have
# their own so a flood of one cannot starve another. See docs/operations.md for the worker commands.
CELERY_TASK_DEFAULT_QUEUE = "normal"
CELERY_TASK_ROUTES = {
    "notifications.apply_receipt": {"queue": "receipts"},
    "notifications.sweep": {"queue": "periodic"},
    "notifications.adjust_health": {"queue": "periodic"},
    "accounts.maintenance": {"queue": "periodic"},
}
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 5.0, "options": {"expires": 5}},
    "notifications-health": {"task": "notifications.adjust_health", "schedule": 30.0, "options": {"expires": 30}},
    "accounts-maintenance": {"task": "accounts.maintenance", "schedule": 3600.0, "options": {"expires": 3600}},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
