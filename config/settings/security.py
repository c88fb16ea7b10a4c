"""Secrets, hosts and HTTP hardening. Production refuses to start when a safety setting is missing."""

from django.core.exceptions import ImproperlyConfigured

from config.env import dev_secret_key, env_bool, env_list, env_str
from config.settings.base import BAWABA_ENV

IS_PRODUCTION = BAWABA_ENV == "production"
DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY") or ("" if IS_PRODUCTION else dev_secret_key())
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

KNOWN_DEFAULT_SECRET_KEYS = {"", "change-me", "changeme", "secret", "django-insecure"}


def check_production_settings() -> None:
    """ASVS 13.4: no debug, no default secret, an explicit host list before serving real users."""
    problems = []
    if DEBUG:
        problems.append("DEBUG is on")
    if SECRET_KEY in KNOWN_DEFAULT_SECRET_KEYS or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY is missing, a default, or shorter than 40 characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is missing or a wildcard")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if IS_PRODUCTION:
    check_production_settings()
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after two hours without a request (ASVS 7.3.1); each request extends them.
SESSION_COOKIE_AGE = 2 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
# How many reverse proxies (nginx, a load balancer) stand in front of the app and append to
# X-Forwarded-For; 0 means clients connect directly. Rate limits need the real client address.
BAWABA_TRUSTED_PROXIES = int(env_str("BAWABA_TRUSTED_PROXIES", "0"))

# Content Security Policy (django-csp). Pages ship no JavaScript of their own; the admin and the
# API docs load scripts only from our origin. Inline styles stay allowed for Django's admin widgets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
