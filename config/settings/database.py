"""DATABASE_URL picks the database: SQLite under var/ by default, PostgreSQL via psycopg 3 in production."""

import dj_database_url

from config.env import VAR_DIR, env_str

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bawaba.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    # Tests use a file, not shared memory: in memory, two threads writing at once (a provider's receipt
    # thread, a live server) fail at once with "table is locked" instead of waiting their turn.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
