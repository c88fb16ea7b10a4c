"""Which catalogue records keep a revision history (django-reversion), and what a revision holds.

A service's revision follows its steps, documents, fees and media, so reverting a service restores
the whole guide as it was; a department's revision follows its offices. Registered here rather than
by the admin classes, so imports record revisions too and the rule does not depend on import order.
"""

import reversion

from bawaba.catalog.models import (
    Department,
    Office,
    RequiredDocument,
    Service,
    ServiceFee,
    ServiceMedia,
    ServiceStep,
)

SERVICE_FOLLOWS = ("steps", "documents", "fees", "media")
DEPARTMENT_FOLLOWS = ("offices",)


def register_catalogue_models() -> None:
    """Register once; calling again is harmless."""
    for model in (ServiceStep, RequiredDocument, ServiceFee, ServiceMedia, Office):
        if not reversion.is_registered(model):
            reversion.register(model)
    if not reversion.is_registered(Service):
        reversion.register(Service, follow=SERVICE_FOLLOWS)
    if not reversion.is_registered(Department):
        reversion.register(Department, follow=DEPARTMENT_FOLLOWS)


register_catalogue_models()
