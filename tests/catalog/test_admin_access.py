"""Every catalogue access rule in the admin, tried by everyone: anonymous, staff with no department,
the editor of another department, the department's editor, and an operator. Denials change nothing.
"""

import pytest
from django.test import Client

from bawaba.catalog.constants import FeedbackReason
from bawaba.catalog.models import Department, SearchSynonym, Service, ServiceFeedback
from tests.catalog.test_admin_helpers import admin_url, empty_parts, make_staff, service_form, snapshot
from tests.factories import CategoryFactory, DepartmentFactory, OfficeFactory, ServiceFactory

ROLES = ("anonymous", "staff", "other_editor", "editor", "operator")
MAY_EDIT = {"editor", "operator"}


@pytest.fixture
def other_department(db):
    return DepartmentFactory(slug="health", name_ar="وزارة الصحة", name_en="Ministry of Health")


@pytest.fixture
def office(department):
    return OfficeFactory(code="karrada-passports", department=department, name_en="Karrada passport office")


@pytest.fixture
def other_office(other_department):
    return OfficeFactory(code="medical-city", department=other_department, name_en="Medical City clinic")


@pytest.fixture
def people(department, other_department):
    return {
        "staff": make_staff("clerk"),
        "other_editor": make_staff("editor.health", departments=(other_department,)),
        "editor": make_staff("editor.interior", departments=(department,)),
        "operator": make_staff("operator", superuser=True),
    }


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def as_role(role, people):
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _denied(response) -> bool:
    # Anonymous people are sent to log in, others get 403, or a redirect saying the record does not
    # exist (Django's answer for an id outside their queryset), or 404: never the page itself.
    return response.status_code in (302, 403, 404)


# Services.


def test_service_list_shows_only_what_the_person_manages(as_role, role, service):
    response = as_role.get(admin_url("catalog_service_changelist"))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif role == "staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        listed = [obj.pk for obj in response.context["cl"].result_list]
        assert listed == ([service.pk] if role in MAY_EDIT else [])


def test_service_change_page_by_url(as_role, role, service):
    response = as_role.get(admin_url("catalog_service_change", service.pk))
    if role in MAY_EDIT:
        assert response.status_code == 200
        assert "تجديد جواز السفر" in response.content.decode()
    else:
        assert _denied(response)
        assert "تجديد جواز السفر" not in response.content.decode()


def test_service_change_post_by_url(as_role, role, service):
    before = snapshot(service)
    response = as_role.post(
        admin_url("catalog_service_change", service.pk), service_form(service, summary_ar="ملخص جديد")
    )
    after = snapshot(service)
    if role in MAY_EDIT:
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert after["summary_ar"] == "ملخص جديد"
    else:
        assert _denied(response)
        assert after == before


def test_add_service(as_role, role, department):
    response = as_role.get(admin_url("catalog_service_add"))
    assert (response.status_code == 200) == (role in ("other_editor", "editor", "operator"))
    data = {
        "slug": "new-service",
        "department": department.pk,
        "classification": "procedural",
        "name_ar": "خدمة جديدة",
        "summary_ar": "ملخص",
        "is_published": "on",
        "popularity": 0,
        **empty_parts(),
    }
    response = as_role.post(admin_url("catalog_service_add"), data)
    created = Service.objects.filter(slug="new-service").first()
    if role in MAY_EDIT:
        assert response.status_code == 302
        assert created is not None
        assert created.department == department
    else:
        assert created is None
        if role == "other_editor":
            # The form offers only their own department: another one is not a valid choice.
            assert response.status_code == 200
            assert "department" in response.context["adminform"].form.errors


def test_delete_service(as_role, role, service):
    response = as_role.get(admin_url("catalog_service_delete", service.pk))
    assert (response.status_code == 200) == (role in MAY_EDIT)
    response = as_role.post(admin_url("catalog_service_delete", service.pk), {"post": "yes"})
    exists = Service.objects.filter(pk=service.pk).exists()
    assert exists == (role not in MAY_EDIT)
    if role not in MAY_EDIT:
        assert _denied(response)


def test_bulk_delete_of_ids_outside_the_scope_deletes_nothing(as_role, role, service, other_department):
    other_service = ServiceFactory(department=other_department)
    as_role.post(
        admin_url("catalog_service_changelist"),
        {"action": "delete_selected", "_selected_action": [service.pk], "post": "yes"},
    )
    assert Service.objects.filter(pk=service.pk).exists() == (role not in MAY_EDIT)
    assert Service.objects.filter(pk=other_service.pk).exists()


def test_moving_a_service_to_another_department(as_role, role, service, other_department):
    before = snapshot(service)
    response = as_role.post(
        admin_url("catalog_service_change", service.pk), service_form(service, department=other_department.pk)
    )
    after = snapshot(service)
    if role == "operator":
        assert response.status_code == 302
        assert after["department"] == other_department.pk
    else:
        assert after == before
        if role == "editor":
            assert response.status_code == 200
            assert "department" in response.context["adminform"].form.errors
        else:
            assert _denied(response)


def test_attaching_another_departments_office(as_role, role, service, office, other_office):
    before = snapshot(service)
    response = as_role.post(
        admin_url("catalog_service_change", service.pk), service_form(service, offices=[office.pk, other_office.pk])
    )
    after = snapshot(service)
    if role == "operator":
        assert response.status_code == 302
        assert after["offices"] == sorted([office.pk, other_office.pk])
    else:
        assert after == before
        if role == "editor":
            assert response.status_code == 200
            assert "offices" in response.context["adminform"].form.errors
        else:
            assert _denied(response)


def test_history_of_a_service(as_role, role, service):
    response = as_role.get(admin_url("catalog_service_history", service.pk))
    if role in MAY_EDIT:
        assert response.status_code == 200
    else:
        assert _denied(response)


# Departments and offices.


def test_department_change_page(as_role, role, department):
    response = as_role.get(admin_url("catalog_department_change", department.pk))
    assert (response.status_code == 200) == (role in MAY_EDIT)


def test_department_description_and_structure(as_role, role, department, other_department):
    data = {
        "slug": "renamed",
        "kind": department.kind,
        "parent": other_department.pk,
        "ordering": 1,
        "is_published": "on",
        "name_ar": department.name_ar,
        "name_en": department.name_en,
        "description_ar": "وصف جديد",
        "offices-TOTAL_FORMS": 0,
        "offices-INITIAL_FORMS": 0,
        "offices-MIN_NUM_FORMS": 0,
        "offices-MAX_NUM_FORMS": 1000,
    }
    response = as_role.post(admin_url("catalog_department_change", department.pk), data)
    department.refresh_from_db()
    if role == "operator":
        assert response.status_code == 302
        assert (department.slug, department.parent, department.description_ar) == (
            "renamed",
            other_department,
            "وصف جديد",
        )
    elif role == "editor":
        # Their own department's texts, yes; where it sits and its address, no.
        assert response.status_code == 302
        assert (department.slug, department.parent, department.description_ar) == ("interior", None, "وصف جديد")
    else:
        assert _denied(response)
        assert (department.slug, department.parent, department.description_ar) == ("interior", None, "")


def test_adding_and_deleting_departments_is_for_operators(as_role, role, department):
    assert (as_role.get(admin_url("catalog_department_add")).status_code == 200) == (role == "operator")
    as_role.post(admin_url("catalog_department_delete", department.pk), {"post": "yes"})
    assert Department.objects.filter(pk=department.pk).exists() == (role != "operator")


def test_office_cannot_be_moved_to_another_department(as_role, role, office, other_department):
    data = {
        "code": office.code,
        "department": other_department.pk,
        "governorate": office.governorate_id,
        "name_ar": office.name_ar,
        "name_en": "Renamed office",
    }
    response = as_role.post(admin_url("catalog_office_change", office.pk), data)
    office.refresh_from_db()
    if role == "operator":
        assert response.status_code == 302
        assert office.department == other_department
    else:
        assert office.department_id != other_department.pk
        assert office.name_en == "Karrada passport office"
        if role == "editor":
            assert "department" in response.context["adminform"].form.errors
        else:
            assert _denied(response)


def test_office_of_another_department_is_not_reachable(as_role, role, other_office):
    response = as_role.get(admin_url("catalog_office_change", other_office.pk))
    assert (response.status_code == 200) == (role in ("other_editor", "operator"))


# Vocabularies: operators only.


@pytest.mark.parametrize("model_name", ["category", "lifeevent", "searchsynonym", "governorate"])
def test_shared_vocabularies_are_for_operators(as_role, role, model_name):
    response = as_role.get(admin_url(f"catalog_{model_name}_changelist"))
    assert (response.status_code == 200) == (role == "operator")


def test_editors_cannot_rename_a_category(as_role, role):
    category = CategoryFactory(slug="travel", name_ar="السفر")
    as_role.post(
        admin_url("catalog_category_change", category.pk), {"slug": "travel", "ordering": 1, "name_ar": "مغير"}
    )
    category.refresh_from_db()
    assert (category.name_ar == "مغير") == (role == "operator")


def test_synonyms_are_for_operators(as_role, role):
    as_role.post(admin_url("catalog_searchsynonym_add"), {"term": "باسبورت", "expansion": "جواز سفر"})
    assert SearchSynonym.objects.filter(term="باسبورت").exists() == (role == "operator")


# Feedback: read-only, for operators and the service's department's editors.


def test_feedback_list(as_role, role, service, other_department):
    mine = ServiceFeedback.objects.create(service=service, is_helpful=False, reason="unclear", language="ar")
    theirs = ServiceFeedback.objects.create(
        service=ServiceFactory(department=other_department), is_helpful=True, language="ar"
    )
    response = as_role.get(admin_url("catalog_servicefeedback_changelist"))
    if role in ("anonymous", "staff"):
        assert _denied(response)
        return
    listed = {obj.pk for obj in response.context["cl"].result_list}
    expected = {"other_editor": {theirs.pk}, "editor": {mine.pk}, "operator": {mine.pk, theirs.pk}}[role]
    assert listed == expected


def test_feedback_cannot_be_added_changed_or_deleted(as_role, role, service):
    answer = ServiceFeedback.objects.create(service=service, is_helpful=False, comment="غير واضح", language="ar")
    as_role.post(admin_url("catalog_servicefeedback_change", answer.pk), {"comment": "edited", "is_helpful": "on"})
    as_role.post(admin_url("catalog_servicefeedback_delete", answer.pk), {"post": "yes"})
    assert as_role.get(admin_url("catalog_servicefeedback_add")).status_code != 200
    answer.refresh_from_db()
    assert (answer.comment, answer.is_helpful) == ("غير واضح", False)


def test_feedback_summary(as_role, role, service):
    ServiceFeedback.objects.create(service=service, is_helpful=False, reason="unclear", language="ar")
    ServiceFeedback.objects.create(service=service, is_helpful=True, reason="found", language="en")
    ServiceFeedback.objects.create(service=service, is_helpful=False, reason="unclear", language="ckb")
    response = as_role.get(admin_url("catalog_servicefeedback_summary"))
    if role in ("anonymous", "staff"):
        assert _denied(response)
        return
    assert response.status_code == 200
    rows = response.context["rows"]
    if role == "other_editor":
        assert rows == []
        return
    (row,) = rows
    assert (row["service"], row["helpful"], row["unhelpful"]) == (service, 1, 2)
    reasons = dict(zip([reason.value for reason in FeedbackReason], row["reasons"], strict=True))
    assert reasons == {"found": 1, "unclear": 2, "missing": 0, "wrong": 0, "not_my_service": 0, "other": 0}


# Import and export: operators only.


def test_transfer_page_and_downloads(as_role, role, service):
    assert (as_role.get(admin_url("catalog_service_transfer")).status_code == 200) == (role == "operator")
    for file_format in ("json", "csv"):
        response = as_role.get(admin_url("catalog_service_export", file_format))
        assert (response.status_code == 200) == (role == "operator")


def test_index_shows_the_catalogue_only_to_those_who_manage_it(as_role, role, service):
    response = as_role.get(admin_url("index"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    catalogue = {
        model["object_name"]
        for app in response.context["app_list"]
        if app["app_label"] == "catalog"
        for model in app["models"]
    }
    scoped = {"Service", "Department", "Office", "ServiceFeedback"}
    shared = {"Category", "LifeEvent", "SearchSynonym", "Governorate"}
    expected = {"staff": set(), "other_editor": scoped, "editor": scoped, "operator": scoped | shared}[role]
    assert catalogue == expected
