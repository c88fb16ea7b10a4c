"""Reverts and recoveries stay inside what an editor manages *now*: an old version naming the editor's
department does not bring back an office an operator has since moved away, nor undo a service
address, ranking or demo flag that only operators may change.
"""

from typing import Any

import pytest
from django.db import transaction
from reversion.models import Version

from bawaba.catalog.models import Department, Office, Service
from tests.catalog.test_admin_helpers import admin_url, make_staff, service_form
from tests.factories import DepartmentFactory, OfficeFactory

OFFICE_TEXTS = ("name", "address", "opening_hours")
DEPARTMENT_TEXTS = ("name", "description", "head_title", "head_name")
LANGUAGES = ("ar", "ckb", "en")


class _Rollback(Exception):
    pass


@pytest.fixture
def health(db):
    return DepartmentFactory(slug="health", name_ar="وزارة الصحة")


@pytest.fixture
def editor(department):
    return make_staff("editor.interior", departments=(department,))


@pytest.fixture
def operator(db):
    return make_staff("operator", superuser=True)


def _department_form(department: Department) -> dict[str, Any]:
    """What an editor's department change form posts: texts, contact and the offices inline."""
    offices = list(department.offices.order_by("pk"))
    data: dict[str, Any] = {
        "website": department.website,
        "phone": department.phone,
        "email": department.email,
        "offices-TOTAL_FORMS": len(offices),
        "offices-INITIAL_FORMS": len(offices),
        "offices-MIN_NUM_FORMS": 0,
        "offices-MAX_NUM_FORMS": 1000,
    }
    for language in LANGUAGES:
        for name in DEPARTMENT_TEXTS:
            data[f"{name}_{language}"] = getattr(department, f"{name}_{language}")
    for index, office in enumerate(offices):
        data |= {
            f"offices-{index}-id": office.pk,
            f"offices-{index}-department": department.pk,
            f"offices-{index}-code": office.code,
            f"offices-{index}-governorate": office.governorate_id,
            f"offices-{index}-phone": office.phone,
            f"offices-{index}-latitude": "",
            f"offices-{index}-longitude": "",
        }
        for language in LANGUAGES:
            for name in OFFICE_TEXTS:
                data[f"offices-{index}-{name}_{language}"] = getattr(office, f"{name}_{language}")
    return data


def _office_form(office: Office, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": office.code,
        "department": office.department_id,
        "governorate": office.governorate_id,
        "phone": office.phone,
        "latitude": "",
        "longitude": "",
    }
    for language in LANGUAGES:
        for name in OFFICE_TEXTS:
            data[f"{name}_{language}"] = getattr(office, f"{name}_{language}")
    return data | changes


def _as_reverted(version: Version, form: Any) -> dict[str, Any]:
    """What the revision page posts: the change form as it looks with `version` restored."""
    try:
        with transaction.atomic():
            version.revision.revert(delete=True)
            data = form()
            raise _Rollback
    except _Rollback:
        return data


def _offices() -> list[tuple[str, int, str]]:
    return list(Office.objects.order_by("code").values_list("code", "department_id", "name_ar"))


def _moved_office(client, department, health, editor, operator):
    """The editor saves their department with the Karrada office; an operator then moves it to health."""
    office = OfficeFactory(code="karrada", department=department, name_ar="مكتب الكرادة")
    client.force_login(editor)
    response = client.post(admin_url("catalog_department_change", department.pk), _department_form(department))
    assert response.status_code == 302
    saved = Version.objects.get_for_object(department).first()
    client.force_login(operator)
    response = client.post(admin_url("catalog_office_change", office.pk), _office_form(office, department=health.pk))
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.department_id == health.pk
    return office, saved


def test_a_department_revert_does_not_take_back_a_moved_office(client, department, health, editor, operator):
    office, saved = _moved_office(client, department, health, editor, operator)
    data = _as_reverted(saved, lambda: _department_form(Department.objects.get(pk=department.pk)))
    before = _offices()
    client.force_login(editor)

    assert client.get(admin_url("catalog_department_revision", department.pk, saved.pk)).status_code == 302
    response = client.post(admin_url("catalog_department_revision", department.pk, saved.pk), data)

    assert response.status_code == 302
    assert response["Location"].endswith(admin_url("catalog_department_history", department.pk))
    assert _offices() == before
    office.refresh_from_db()
    assert office.department_id == health.pk


def test_recovering_a_deleted_office_does_not_take_back_a_moved_one(client, department, health, editor, operator):
    # The department's revision holds both offices; recovering the deleted one would restore it whole.
    gone = OfficeFactory(code="adhamiya", department=department, name_ar="مكتب الأعظمية")
    office, saved = _moved_office(client, department, health, editor, operator)
    assert {v.object_id for v in saved.revision.version_set.all()} >= {str(gone.pk), str(office.pk)}
    client.force_login(editor)
    response = client.post(admin_url("catalog_office_delete", gone.pk), {"post": "yes"})
    assert response.status_code == 302
    deleted = Version.objects.get_deleted(Office).get()
    before = _offices()

    assert [v.pk for v in client.get(admin_url("catalog_office_recoverlist")).context["deleted"]] == []
    response = client.post(admin_url("catalog_office_recover", deleted.pk), _office_form(gone))

    assert response.status_code == 404
    assert _offices() == before


def test_a_department_revert_still_works_within_the_department(client, department, editor):
    office = OfficeFactory(code="karrada", department=department, name_ar="مكتب الكرادة")
    client.force_login(editor)
    client.post(admin_url("catalog_department_change", department.pk), _department_form(department))
    saved = Version.objects.get_for_object(department).first()
    data = _department_form(department) | {"offices-0-name_ar": "مكتب الكرادة الجديد"}
    assert client.post(admin_url("catalog_department_change", department.pk), data).status_code == 302
    data = _as_reverted(saved, lambda: _department_form(Department.objects.get(pk=department.pk)))

    response = client.post(admin_url("catalog_department_revision", department.pk, saved.pk), data)

    assert response.status_code == 302
    assert response["Location"].endswith(admin_url("catalog_department_changelist"))
    office.refresh_from_db()
    assert (office.department_id, office.name_ar) == (department.pk, "مكتب الكرادة")


@pytest.mark.parametrize(
    ("field", "operator_value"),
    [("slug", "passport-renewal-2026"), ("popularity", 95), ("is_demo", True)],
)
def test_a_revert_does_not_undo_what_only_operators_change(client, service, editor, operator, field, operator_value):
    client.force_login(editor)
    assert client.post(admin_url("catalog_service_change", service.pk), service_form(service)).status_code == 302
    saved = Version.objects.get_for_object(service).first()
    client.force_login(operator)
    change = {field: operator_value} if field != "is_demo" else {"is_demo": "on"}
    response = client.post(admin_url("catalog_service_change", service.pk), service_form(service, **change))
    assert response.status_code == 302
    service.refresh_from_db()
    assert getattr(service, field) == operator_value
    before = Service.objects.values().get(pk=service.pk)
    data = _as_reverted(saved, lambda: service_form(Service.objects.get(pk=service.pk)))
    client.force_login(editor)

    response = client.post(admin_url("catalog_service_revision", service.pk, saved.pk), data)

    assert response.status_code == 302
    assert response["Location"].endswith(admin_url("catalog_service_history", service.pk))
    assert Service.objects.values().get(pk=service.pk) == before


def test_a_service_revert_still_works_for_its_editor(client, service, editor):
    client.force_login(editor)
    assert client.post(admin_url("catalog_service_change", service.pk), service_form(service)).status_code == 302
    saved = Version.objects.get_for_object(service).first()
    data = service_form(service, summary_ar="ملخص جديد")
    assert client.post(admin_url("catalog_service_change", service.pk), data).status_code == 302
    data = _as_reverted(saved, lambda: service_form(Service.objects.get(pk=service.pk)))

    response = client.post(admin_url("catalog_service_revision", service.pk, saved.pk), data)

    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).summary_ar == "ملخص الخدمة"
