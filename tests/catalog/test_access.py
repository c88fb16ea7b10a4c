"""bawaba.catalog.access, the one place that says who manages which part of the catalogue."""

import pytest

from bawaba.accounts.models import User
from bawaba.catalog import access
from bawaba.catalog.models import Department, Office, Service, ServiceFeedback, ServiceStep
from bawaba.core.errors import NotFound
from tests.catalog.test_admin_helpers import make_staff
from tests.factories import DepartmentFactory, OfficeFactory, ServiceFactory


@pytest.fixture
def ministry(db):
    return DepartmentFactory(slug="interior")


@pytest.fixture
def directorate(ministry):
    return DepartmentFactory(slug="passports", parent=ministry)


@pytest.fixture
def branch(directorate):
    return DepartmentFactory(slug="passports-basra", parent=directorate)


@pytest.fixture
def elsewhere(db):
    return DepartmentFactory(slug="health")


def _fresh(user: User) -> User:
    # Access is remembered on the user object for one request; tests that change membership reload.
    return User.objects.get(pk=user.pk)


def test_an_editor_manages_the_department_and_everything_under_it(ministry, directorate, branch, elsewhere):
    editor = make_staff("editor", departments=(ministry,))
    assert set(access.departments_editable_by(editor)) == {ministry, directorate, branch}


def test_an_editor_of_a_directorate_does_not_manage_the_ministry(ministry, directorate, branch):
    editor = make_staff("editor", departments=(directorate,))
    assert set(access.departments_editable_by(editor)) == {directorate, branch}


@pytest.mark.parametrize(
    ("is_staff", "is_active", "superuser", "expected"),
    [
        (True, True, True, "all"),
        (True, True, False, "own"),
        (False, True, False, "none"),  # a membership row without back-office access
        (True, False, False, "none"),  # a deactivated account
        (False, True, True, "none"),  # a superuser the admin would not let in
        (True, False, True, "none"),
    ],
)
def test_who_counts(ministry, elsewhere, is_staff, is_active, superuser, expected):
    user = make_staff("person", departments=(ministry,), superuser=superuser)
    User.objects.filter(pk=user.pk).update(is_staff=is_staff, is_active=is_active)
    user = _fresh(user)
    result = set(access.departments_editable_by(user))
    assert result == {"all": {ministry, elsewhere}, "own": {ministry}, "none": set()}[expected]
    assert access.can_manage_catalogue(user) == (expected != "none")
    assert access.is_catalogue_operator(user) == (expected == "all")


def test_anonymous_manages_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert access.department_ids_editable_by(AnonymousUser()) == frozenset()


def test_a_loop_of_parents_does_not_hang(ministry, directorate):
    Department.objects.filter(pk=ministry.pk).update(parent=directorate)
    editor = make_staff("editor", departments=(ministry,))
    assert set(access.departments_editable_by(editor)) == {ministry, directorate}


def test_services_offices_and_feedback_follow_the_departments(ministry, directorate, elsewhere):
    editor = make_staff("editor", departments=(ministry,))
    mine = ServiceFactory(department=directorate)
    theirs = ServiceFactory(department=elsewhere)
    my_office = OfficeFactory(department=ministry)
    OfficeFactory(department=elsewhere)
    my_answer = ServiceFeedback.objects.create(service=mine, is_helpful=True, language="ar")
    ServiceFeedback.objects.create(service=theirs, is_helpful=True, language="ar")
    assert list(access.services_editable_by(editor)) == [mine]
    assert list(access.offices_editable_by(editor)) == [my_office]
    assert list(access.feedback_visible_to(editor)) == [my_answer]
    assert access.service_get_for_editor(service_id=mine.pk, user=editor) == mine
    for service_id in (theirs.pk, "not-a-number", 10_000):
        with pytest.raises(NotFound):
            access.service_get_for_editor(service_id=service_id, user=editor)


def test_related_services_may_be_any_published_one(ministry, elsewhere):
    editor = make_staff("editor", departments=(ministry,))
    own_draft = ServiceFactory(department=ministry, is_published=False)
    their_public = ServiceFactory(department=elsewhere)
    ServiceFactory(department=elsewhere, is_published=False)
    assert set(access.services_linkable_by(editor)) == {own_draft, their_public}


def test_membership_changes_apply_from_the_next_request(ministry):
    editor = make_staff("editor")
    assert not access.can_manage_catalogue(editor)
    editor.catalog_departments.create(department=ministry)
    assert not access.can_manage_catalogue(editor)  # remembered for this request
    assert access.can_manage_catalogue(_fresh(editor))


class TestRevisionRestorable:
    def test_a_service_may_only_come_back_into_the_editors_departments(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        service = ServiceFactory(department=ministry)
        assert access.revision_restorable_by(
            user=editor, versions=[(Service, str(service.pk), {"department_id": ministry.pk})]
        )
        assert not access.revision_restorable_by(
            user=editor, versions=[(Service, str(service.pk), {"department_id": elsewhere.pk})]
        )

    def test_guide_parts_must_belong_to_a_service_in_scope(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        theirs = ServiceFactory(department=elsewhere)
        step = (ServiceStep, "1", {"service_id": theirs.pk})
        assert not access.revision_restorable_by(user=editor, versions=[step])
        # ...unless the service comes back in the same revision, into the editor's department.
        restored = (Service, str(theirs.pk), {"department_id": ministry.pk})
        assert access.revision_restorable_by(user=editor, versions=[restored, step])

    def test_a_department_comes_back_only_with_its_structure_unchanged(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        fields = {
            "slug": "interior",
            "kind": ministry.kind,
            "parent_id": None,
            "governorate_id": None,
            "is_published": True,
            "is_demo": False,
            "ordering": 1000,
            "description_ar": "وصف قديم",
        }
        assert access.revision_restorable_by(user=editor, versions=[(Department, str(ministry.pk), fields)])
        moved = fields | {"parent_id": elsewhere.pk}
        assert not access.revision_restorable_by(user=editor, versions=[(Department, str(ministry.pk), moved)])
        assert not access.revision_restorable_by(user=editor, versions=[(Department, str(elsewhere.pk), fields)])

    def test_offices_and_unknown_models(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        assert access.revision_restorable_by(user=editor, versions=[(Office, "1", {"department_id": ministry.pk})])
        assert not access.revision_restorable_by(user=editor, versions=[(Office, "1", {"department_id": elsewhere.pk})])
        assert not access.revision_restorable_by(user=editor, versions=[(User, "1", {})])
        operator = make_staff("operator", superuser=True)
        assert access.revision_restorable_by(user=operator, versions=[(User, "1", {})])
