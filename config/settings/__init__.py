"""Settings, one module per concern; the environment decides everything that differs per deployment."""

from config.settings.accounts import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.cache import *  # noqa: F403
from config.settings.celery import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.i18n import *  # noqa: F403
from config.settings.notifications import *  # noqa: F403
from config.settings.security import *  # noqa: F403
