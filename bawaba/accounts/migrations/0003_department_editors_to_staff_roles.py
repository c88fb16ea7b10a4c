"""Catalogue editors become staff roles: each DepartmentEditor row is a content_editor StaffRole.

The catalogue's own membership table goes away in catalog 0005, which waits for this migration, so
nobody loses access on the way: bawaba.catalog.access now asks bawaba.accounts.staff.selectors.
"""

from django.db import migrations

CONTENT_EDITOR = "content_editor"


def department_editors_to_roles(apps, schema_editor):
    DepartmentEditor = apps.get_model("catalog", "DepartmentEditor")
    StaffRole = apps.get_model("accounts", "StaffRole")
    for user_id, department_id in DepartmentEditor.objects.values_list("user_id", "department_id"):
        StaffRole.objects.get_or_create(user_id=user_id, role=CONTENT_EDITOR, department_id=department_id)


def roles_to_department_editors(apps, schema_editor):
    DepartmentEditor = apps.get_model("catalog", "DepartmentEditor")
    StaffRole = apps.get_model("accounts", "StaffRole")
    rows = StaffRole.objects.filter(role=CONTENT_EDITOR, department__isnull=False)
    for user_id, department_id in rows.values_list("user_id", "department_id"):
        DepartmentEditor.objects.get_or_create(user_id=user_id, department_id=department_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_citizen_accounts"),
        ("catalog", "0004_field_labels"),
    ]

    operations = [migrations.RunPython(department_editors_to_roles, roles_to_department_editors)]
