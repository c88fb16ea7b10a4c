"""bawaba.catalog.access, the one place that says who manages which part of the catalogue."""

import pytest

from bawaba.accounts.constants import StaffRoleKind
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


def test_role_changes_apply_from_the_next_request(ministry):
    editor = make_staff("editor")
    assert not access.can_manage_catalogue(editor)
    editor.staff_roles.create(role=StaffRoleKind.CONTENT_EDITOR, department=ministry)
    assert not access.can_manage_catalogue(editor)  # remembered for this request
    assert access.can_manage_catalogue(_fresh(editor))


def _saved(obj, **changes):
    """(model, id, fields) as a revision stores the object now, with `changes` applied to the fields."""
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    return type(obj), str(obj.pk), fields | changes


class TestRevisionRestorable:
    def test_a_service_may_only_come_back_into_the_editors_departments(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        service = ServiceFactory(department=ministry)
        assert access.revision_restorable_by(user=editor, versions=[_saved(service)])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(service, department_id=elsewhere.pk)])

    def test_a_service_moved_away_does_not_come_back(self, ministry, elsewhere):
        # Saved while it was the editor's; an operator has since moved it to another department.
        editor = make_staff("editor", departments=(ministry,))
        service = ServiceFactory(department=ministry)
        saved = _saved(service)
        step = ServiceStep.objects.create(service=service, position=1, location="office", title_ar="خطوة")
        saved_step = _saved(step)
        Service.objects.filter(pk=service.pk).update(department=elsewhere)
        assert not access.revision_restorable_by(user=editor, versions=[saved])
        assert not access.revision_restorable_by(user=editor, versions=[saved, saved_step])

    @pytest.mark.parametrize(("field", "value"), [("slug", "renamed"), ("popularity", 7), ("is_demo", True)])
    def test_a_service_keeps_what_only_operators_set(self, ministry, field, value):
        editor = make_staff("editor", departments=(ministry,))
        service = ServiceFactory(department=ministry)
        assert access.revision_restorable_by(user=editor, versions=[_saved(service, summary_ar="قديم")])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(service, **{field: value})])

    def test_a_deleted_service_comes_back_with_its_guide(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        service = ServiceFactory(department=ministry, popularity=40)
        step = ServiceStep.objects.create(service=service, position=1, location="office", title_ar="خطوة")
        saved = [_saved(service), _saved(step)]
        Service.objects.filter(pk=service.pk).delete()
        assert access.revision_restorable_by(user=editor, versions=saved)
        service_elsewhere = (Service, saved[0][1], saved[0][2] | {"department_id": elsewhere.pk})
        assert not access.revision_restorable_by(user=editor, versions=[service_elsewhere, saved[1]])

    def test_guide_parts_must_belong_to_a_service_in_scope(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        mine = ServiceFactory(department=ministry)
        theirs = ServiceFactory(department=elsewhere)
        step = ServiceStep.objects.create(service=theirs, position=1, location="office", title_ar="خطوة")
        assert not access.revision_restorable_by(user=editor, versions=[_saved(step)])
        # A saved version naming the editor's service does not make another service's step theirs.
        assert not access.revision_restorable_by(user=editor, versions=[_saved(step, service_id=mine.pk)])
        # A step that no longer exists may come back to the editor's own service only.
        ServiceStep.objects.filter(pk=step.pk).delete()
        assert access.revision_restorable_by(user=editor, versions=[_saved(step, service_id=mine.pk)])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(step)])

    def test_a_department_comes_back_only_with_its_structure_unchanged(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        assert access.revision_restorable_by(user=editor, versions=[_saved(ministry, description_ar="وصف قديم")])
        moved = _saved(ministry, parent_id=elsewhere.pk)
        assert not access.revision_restorable_by(user=editor, versions=[moved])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(elsewhere)])
        gone = _saved(ministry)
        Department.objects.filter(pk=ministry.pk).delete()
        assert not access.revision_restorable_by(user=editor, versions=[gone])

    def test_offices_are_restored_only_where_they_are_the_editors_now(self, ministry, elsewhere):
        editor = make_staff("editor", departments=(ministry,))
        office = OfficeFactory(department=ministry)
        saved = _saved(office, name_ar="اسم قديم")
        assert access.revision_restorable_by(user=editor, versions=[saved])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(office, department_id=elsewhere.pk)])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(office, is_demo=True)])
        Office.objects.filter(pk=office.pk).update(department=elsewhere)
        assert not access.revision_restorable_by(user=editor, versions=[saved])
        assert not access.revision_restorable_by(user=editor, versions=[_saved(ministry), saved])
        Office.objects.filter(pk=office.pk).delete()
        assert access.revision_restorable_by(user=editor, versions=[saved])

    def test_unknown_models_and_ids(self, ministry):
        editor = make_staff("editor", departments=(ministry,))
        assert not access.revision_restorable_by(user=editor, versions=[(User, "1", {})])
        assert not access.revision_restorable_by(user=editor, versions=[(Office, "x", {"department_id": ministry.pk})])
        operator = make_staff("operator", superuser=True)
        assert access.revision_restorable_by(user=operator, versions=[(User, "1", {})])
        nobody = make_staff("nobody")
        assert not access.revision_restorable_by(user=nobody, versions=[])
