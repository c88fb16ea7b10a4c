"""The accounts app's notices (phone changed, password changed) join the built-in templates."""

from django.db import migrations

from bawaba.notifications.builtin_templates import install_builtin_templates

NAMES = ["phone_changed", "password_changed"]


def create(apps, schema_editor):
    install_builtin_templates(apps.get_model("notifications", "MessageTemplate"))


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(name__in=NAMES, messages__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_claim_token")]
    operations = [migrations.RunPython(create, remove)]
