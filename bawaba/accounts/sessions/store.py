"""A cached database session engine for which the cache is optional: SESSION_ENGINE = this module.

Django's `cached_db` falls back to the database when reading from the cache fails, but not when writing the
freshly read session back to it, nor when deleting (signing out, ending a session): with Redis down every
signed-in request fails. Here every cache call may fail; the database answers. A deletion the cache missed
leaves a copy there until it expires, which the AccountSession row (ended) refuses at its next request.
"""

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    _cache: BaseCache  # set by Django's cached_db store; not in its type stubs

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unreachable; reading the session from the database", exc_info=True)
            data = None
        if data is not None:
            return dict(data)
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("Session cache unreachable; the session is kept in the database only", exc_info=True)
        return dict(data)

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unreachable; asking the database", exc_info=True)
        return DBStore.exists(self, session_key)

    def delete(self, session_key: str | None = None) -> None:
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning("Session cache unreachable; the ended session stays there until it expires", exc_info=True)
