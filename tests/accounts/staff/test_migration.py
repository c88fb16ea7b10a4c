"""accounts 0003 turns every catalogue editor into a content editor before catalog 0005 drops the table."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_citizen_accounts"), ("catalog", "0004_field_labels")]
AFTER = [("accounts", "0003_department_editors_to_staff_roles"), ("catalog", "0005_remove_departmenteditor")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_department_editors_become_content_editors_and_back():
    apps = migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("catalog", "Department")
    DepartmentEditor = apps.get_model("catalog", "DepartmentEditor")
    StaffRole = apps.get_model("accounts", "StaffRole")
    editor = User.objects.create(username="editor.interior", is_staff=True)
    interior = Department.objects.create(slug="interior", kind="ministry", name_ar="الداخلية")
    health = Department.objects.create(slug="health", kind="ministry", name_ar="الصحة")
    DepartmentEditor.objects.create(user=editor, department=interior)
    DepartmentEditor.objects.create(user=editor, department=health)
    # Already a content editor somewhere: not granted twice.
    StaffRole.objects.create(user=editor, role="content_editor", department=interior)

    apps = migrate(AFTER)
    StaffRole = apps.get_model("accounts", "StaffRole")
    rows = sorted(StaffRole.objects.values_list("user__username", "role", "department__slug"))
    assert rows == [("editor.interior", "content_editor", "health"), ("editor.interior", "content_editor", "interior")]
    assert "departmenteditor" not in {model._meta.model_name for model in apps.get_app_config("catalog").get_models()}

    apps = migrate(BEFORE)
    DepartmentEditor = apps.get_model("catalog", "DepartmentEditor")
    pairs = sorted(DepartmentEditor.objects.values_list("user__username", "department__slug"))
    assert pairs == [("editor.interior", "health"), ("editor.interior", "interior")]
