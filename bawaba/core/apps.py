from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "bawaba.core"
    label = "core"


class BawabaAdminConfig(admin_apps.AdminConfig):
    """Installs BawabaAdminSite as `admin.site`, so every app registers with the hardened site."""

    default = False
    default_site = "bawaba.core.admin_site.BawabaAdminSite"
