"""Fixtures shared by the whole suite: people and a small catalogue."""

import pytest

from tests.factories import DepartmentFactory, ServiceFactory


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploaded and imported files go to a fresh folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture
def department(db):
    return DepartmentFactory(slug="interior", name_ar="وزارة الداخلية", name_en="Ministry of Interior")


@pytest.fixture
def service(department):
    return ServiceFactory(
        slug="passport-renewal",
        department=department,
        name_ar="تجديد جواز السفر",
        name_en="Renew a passport",
        name_ckb="نوێکردنەوەی پاسپۆرت",
    )


@pytest.fixture(autouse=True)
def _outbox_in_a_temporary_file(settings, tmp_path):
    """Messages "sent" by a test land in its own outbox file, never the developer's var/outbox.jsonl."""
    settings.BAWABA_OUTBOX_FILE = tmp_path / "outbox.jsonl"
    from bawaba.notifications import routing

    routing.breaker.reset()
    routing.in_flight.reset()
    routing.forget_states()
