"""The catalogue in the Django admin. Who may see and change what is decided in bawaba.catalog.access.

Operators (superusers) manage everything; department editors manage their departments' services,
offices and descriptions; other staff see no catalogue. See docs/decisions/0004-admin-and-revisions.md.
"""

from bawaba.catalog import revisions  # noqa: F401  registers revision history before the admin classes
from bawaba.catalog.admin import departments, feedback, services, vocabularies

__all__ = ["departments", "feedback", "services", "vocabularies"]
