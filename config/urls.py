"""Top-level routes: probes and machine interfaces outside the language prefix, pages inside it."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from bawaba.core.health import favicon, healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path("favicon.ico", favicon),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("bawaba.api.urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("bawaba.catalog.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
