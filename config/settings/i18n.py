"""Languages: Arabic first, Central Kurdish (Sorani), English. Times are stored in UTC, shown in Baghdad time."""

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR

LANGUAGE_CODE = "ar"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("ckb", _("Central Kurdish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Baghdad"
LANGUAGE_COOKIE_NAME = "bawaba_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"
