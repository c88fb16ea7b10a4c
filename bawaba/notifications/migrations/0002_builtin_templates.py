"""Templates the portal itself relies on; editors may reword them, but the names must stay."""

from django.db import migrations

from bawaba.notifications.builtin_templates import BUILTIN, install_builtin_templates


def create(apps, schema_editor):
    install_builtin_templates(apps.get_model("notifications", "MessageTemplate"))


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(name__in=[entry["name"] for entry in BUILTIN], messages__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
