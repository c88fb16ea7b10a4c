import json

import pytest

from bawaba.notifications.models import MessageTemplate


@pytest.fixture
def outbox_lines(settings):
    def read():
        path = settings.BAWABA_OUTBOX_FILE
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


@pytest.fixture
def email_template(db):
    return MessageTemplate.objects.create(
        name="case_update",
        channel="email",
        subject_ar="تحديث على طلبك ((code))",
        subject_en="Update on your request ((code))",
        body_ar="طلبك ((code)) أصبح: ((state)).",
        body_en="Your request ((code)) is now: ((state)).",
    )


@pytest.fixture(autouse=True)
def _builtin_templates(request):
    """Transactional tests empty every table; put the built-in templates back for them."""
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("transactional_db" if _wants_transactions(request) else "db")
        from bawaba.notifications.builtin_templates import install_builtin_templates

        install_builtin_templates()


def _wants_transactions(request):
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture
def gateways():
    """Start real HTTP SMS gateways by name (`gateways("alpha")`); all stopped when the test ends."""
    from tests.peers.http_gateway import Gateways

    started = Gateways()
    yield started
    started.stop_all()
