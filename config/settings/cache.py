"""REDIS_URL, when set, backs the cache and sessions; without it the embedded defaults are used."""

from config.env import env_str

REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("BAWABA_CACHE_PREFIX", "bawaba"),
            # A silent Redis must cost a request a second, not the client's default of waiting for ever.
            "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        }
    }
    # Cached sessions whose every cache call may fail: the database answers, so a lost Redis logs nobody out
    # (Django's own cached_db fails on some of them; see bawaba/accounts/sessions/store.py).
    SESSION_ENGINE = "bawaba.accounts.sessions.store"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bawaba"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
