"""Who edits which department is now a staff role (accounts 0003 copied every row first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_field_labels"),
        ("accounts", "0003_department_editors_to_staff_roles"),
    ]

    operations = [migrations.DeleteModel(name="DepartmentEditor")]
