"""Fixtures shared by the whole suite: people and a small catalogue."""

import pytest

from tests.factories import DepartmentFactory, ServiceFactory


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
