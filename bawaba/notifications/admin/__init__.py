"""The notifications app in the Django admin: templates, the message log, and the delivery dashboard.

Who sees what follows Django's model permissions: editors get notifications.change_messagetemplate,
support staff notifications.view_message, operators notifications.view_providerstate (and
change_providerstate to pause a provider).
"""

from bawaba.notifications.admin import dashboard, message_log, templates

__all__ = ["dashboard", "message_log", "templates"]
