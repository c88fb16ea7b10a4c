from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bawaba.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from bawaba.notifications import checks, signals  # noqa: F401  (registers checks and signal handlers)
