"""Revision history in the admin: a revert restores the whole guide, and nobody reverts or recovers
what they do not manage (django-reversion's own views look versions up by id alone).
"""

import pytest
from django.db import transaction
from django.utils import translation
from reversion.models import Version

from bawaba.catalog.models import Department, Service
from bawaba.catalog.transfer.json_import import catalogue_import
from tests.catalog.test_admin_helpers import admin_url, make_staff, service_form, snapshot
from tests.factories import DepartmentFactory


class _Rollback(Exception):
    pass


@pytest.fixture
def other_department(db):
    return DepartmentFactory(slug="health", name_ar="وزارة الصحة")


@pytest.fixture
def editor(department):
    return make_staff("editor.interior", departments=(department,))


@pytest.fixture
def other_editor(other_department):
    return make_staff("editor.health", departments=(other_department,))


@pytest.fixture
def operator(db):
    return make_staff("operator", superuser=True)


def _step(index, position, title, body=""):
    return {
        f"steps-{index}-position": position,
        f"steps-{index}-location": "office",
        f"steps-{index}-title_ar": title,
        f"steps-{index}-body_ar": body,
    }


def _save_guide(client, service, **changes):
    response = client.post(admin_url("catalog_service_change", service.pk), service_form(service, **changes))
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *[formset.errors for formset in response.context["inline_admin_formsets"]],
    ]


def _revert_form(version, service):
    """What the revision page posts: the form as it looks with the old version restored."""
    try:
        with transaction.atomic():
            version.revision.revert(delete=True)
            data = service_form(Service.objects.get(pk=service.pk))  # the same pk, back from the dead
            raise _Rollback
    except _Rollback:
        return data


@pytest.fixture
def guide_with_history(client, editor, service):
    """Version 1: two steps and a document. Version 2: a step renamed, the document removed, a step added."""
    client.force_login(editor)
    data = {
        **_step(0, 1, "احجز موعدا"),
        **_step(1, 2, "راجع المكتب"),
        "steps-TOTAL_FORMS": 2,
        "documents-TOTAL_FORMS": 1,
        "documents-0-position": 1,
        "documents-0-name_ar": "الجواز القديم",
    }
    _save_guide(client, service, **data)
    first = Version.objects.get_for_object(service).first()
    service.refresh_from_db()
    steps = list(service.steps.order_by("position"))
    document = service.documents.get()
    _save_guide(
        client,
        service,
        **{
            "steps-0-title_ar": "احجز موعدا على الموقع",
            **_step(2, 3, "استلم الجواز"),
            "steps-2-service": service.pk,
            "steps-TOTAL_FORMS": 3,
            "documents-0-DELETE": "on",
        },
    )
    assert [s.pk for s in steps] == [s.pk for s in service.steps.order_by("position")[:2]]
    assert not service.documents.filter(pk=document.pk).exists()
    return first


def test_every_save_is_a_revision_with_the_whole_guide(guide_with_history, service):
    versions = Version.objects.get_for_object(service)
    assert versions.count() == 2
    latest = versions.first().revision
    models = sorted(v.content_type.model for v in latest.version_set.all())
    assert models == ["service", "servicestep", "servicestep", "servicestep"]


def test_revert_restores_the_whole_guide(client, guide_with_history, service):
    first = guide_with_history
    response = client.post(
        admin_url("catalog_service_revision", service.pk, first.pk),
        _revert_form(Version.objects.get(pk=first.pk), service),
    )
    assert response.status_code == 302
    assert list(service.steps.order_by("position").values_list("title_ar", flat=True)) == ["احجز موعدا", "راجع المكتب"]
    assert list(service.documents.values_list("name_ar", flat=True)) == ["الجواز القديم"]
    assert Version.objects.get_for_object(service).count() == 3


def test_another_departments_editor_cannot_see_or_revert(client, guide_with_history, service, other_editor):
    first = guide_with_history
    data = _revert_form(Version.objects.get(pk=first.pk), service)
    before = snapshot(service)
    client.force_login(other_editor)
    assert client.get(admin_url("catalog_service_revision", service.pk, first.pk)).status_code == 404
    assert client.post(admin_url("catalog_service_revision", service.pk, first.pk), data).status_code == 404
    assert snapshot(service) == before


def test_a_version_id_of_another_object_is_refused(client, guide_with_history, service, other_editor, other_department):
    # The editor's own service, with a version id that belongs to someone else's service.
    theirs = Service.objects.create(slug="theirs", department=other_department, name_ar="خدمة", summary_ar="ملخص")
    client.force_login(other_editor)
    _save_guide(client, theirs)
    their_version = Version.objects.get_for_object(theirs).first()
    before = snapshot(service)
    response = client.post(
        admin_url("catalog_service_revision", theirs.pk, guide_with_history.pk), service_form(theirs)
    )
    assert response.status_code == 404
    assert client.post(admin_url("catalog_service_revision", service.pk, their_version.pk), {}).status_code == 404
    assert snapshot(service) == before


def test_a_version_from_another_department_cannot_be_restored_by_an_editor(
    client, service, editor, operator, other_department
):
    # An operator moved the service here from health; health's old version must not come back.
    service.department = other_department
    service.save()
    client.force_login(operator)
    _save_guide(client, service)
    health_version = Version.objects.get_for_object(service).first()
    _save_guide(client, service, department=Department.objects.get(slug="interior").pk)
    service.refresh_from_db()
    client.force_login(editor)
    before = snapshot(service)
    response = client.post(
        admin_url("catalog_service_revision", service.pk, health_version.pk), _revert_form(health_version, service)
    )
    assert response.status_code == 302
    assert response["Location"].endswith(admin_url("catalog_service_history", service.pk))
    assert snapshot(service) == before


def test_deleted_services_are_recovered_only_by_their_department(client, service, editor, other_editor):
    client.force_login(editor)
    _save_guide(client, service, summary_ar="ملخص قبل الحذف")
    client.post(admin_url("catalog_service_delete", service.pk), {"post": "yes"})
    assert not Service.objects.filter(pk=service.pk).exists()
    deleted = Version.objects.get_deleted(Service).get()

    client.force_login(other_editor)
    assert list(client.get(admin_url("catalog_service_recoverlist")).context["deleted"]) == []
    assert client.post(admin_url("catalog_service_recover", deleted.pk), {}).status_code == 404
    assert not Service.objects.filter(pk=service.pk).exists()

    client.force_login(editor)
    assert [v.pk for v in client.get(admin_url("catalog_service_recoverlist")).context["deleted"]] == [deleted.pk]
    assert client.get(admin_url("catalog_service_recover", deleted.pk)).status_code == 200
    response = client.post(admin_url("catalog_service_recover", deleted.pk), _revert_form(deleted, service))
    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).summary_ar == "ملخص قبل الحذف"


@translation.override("en")
def test_an_import_records_a_revision_per_service(db):
    catalogue_import(
        document={
            "format": "bawaba-catalogue",
            "version": 1,
            "departments": [{"slug": "interior", "kind": "ministry", "name": {"ar": "وزارة الداخلية"}}],
            "services": [
                {
                    "slug": "passport-renewal",
                    "department": "interior",
                    "name": {"ar": "تجديد جواز السفر"},
                    "summary": {"ar": "ملخص"},
                    "steps": [{"location": "office", "title": {"ar": "راجع المكتب"}}],
                }
            ],
        }
    )
    service = Service.objects.get(slug="passport-renewal")
    (version,) = Version.objects.get_for_object(service)
    assert version.revision.comment == "Imported from a catalogue file."
    assert sorted(v.content_type.model for v in version.revision.version_set.all()) == ["service", "servicestep"]
