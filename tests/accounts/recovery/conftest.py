import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _templates_and_a_fresh_cache(request):
    """Built-in SMS templates for transactional tests; no rate-limit counts left over from another test."""
    cache.clear()
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("builtin_templates")
    yield
    cache.clear()
