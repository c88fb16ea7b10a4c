"""'Was this helpful?': stored anonymously, validated, limited per address."""

import pytest
from django.core.cache import cache

from bawaba.catalog.models import ServiceFeedback


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_feedback_is_stored_with_its_reason(client, service):
    response = client.post(
        "/en/services/passport-renewal/feedback/", {"is_helpful": "no", "reason": "missing", "comment": " fees? "}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/services/passport-renewal/?feedback=sent#feedback"
    feedback = ServiceFeedback.objects.get()
    assert (feedback.is_helpful, feedback.reason, feedback.comment, feedback.language) == (
        False,
        "missing",
        "fees?",
        "en",
    )


def test_invalid_feedback_is_refused_and_nothing_is_stored(client, service):
    response = client.post("/en/services/passport-renewal/feedback/", {"is_helpful": "maybe", "reason": "bogus"})
    assert response.status_code == 400
    assert ServiceFeedback.objects.count() == 0


def test_feedback_on_an_unknown_service_is_a_404(client, db):
    response = client.post("/en/services/nope/feedback/", {"is_helpful": "yes"})
    assert response.status_code == 404
    assert ServiceFeedback.objects.count() == 0


def test_feedback_is_limited_per_address(client, service):
    for _ in range(20):
        assert client.post("/en/services/passport-renewal/feedback/", {"is_helpful": "yes"}).status_code == 302
    response = client.post("/en/services/passport-renewal/feedback/", {"is_helpful": "yes"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert ServiceFeedback.objects.count() == 20


def test_feedback_needs_a_post(client, service):
    assert client.get("/en/services/passport-renewal/feedback/").status_code == 405
