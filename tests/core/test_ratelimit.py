import pytest
from django.core.cache import cache

from bawaba.core.ratelimit import RateLimited, rate_limit_check


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_allows_up_to_the_limit_then_refuses():
    for _ in range(3):
        rate_limit_check(scope="test", identity="10.0.0.1", limit=3, window_seconds=60)
    with pytest.raises(RateLimited) as raised:
        rate_limit_check(scope="test", identity="10.0.0.1", limit=3, window_seconds=60)
    assert raised.value.status == 429
    assert raised.value.as_dict()["code"] == "rate_limited"


def test_identities_and_scopes_are_counted_apart():
    for _ in range(3):
        rate_limit_check(scope="test", identity="10.0.0.1", limit=3, window_seconds=60)
    rate_limit_check(scope="test", identity="10.0.0.2", limit=3, window_seconds=60)
    rate_limit_check(scope="other", identity="10.0.0.1", limit=3, window_seconds=60)


def test_a_broken_cache_lets_people_through(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", broken)
    for _ in range(10):
        rate_limit_check(scope="test", identity="10.0.0.1", limit=1, window_seconds=60)
