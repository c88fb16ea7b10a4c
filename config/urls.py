"""Top-level routes: probes and machine interfaces outside the language prefix, pages inside it."""

from pathlib import PurePosixPath

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from bawaba.catalog.media import MEDIA_FILE_EXTENSIONS
from bawaba.core.health import favicon, healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path("favicon.ico", favicon),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("bawaba.api.urls")),
    path("notifications/", include("bawaba.notifications.urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("bawaba.notifications.page_urls")),
    path("", include("bawaba.accounts.urls")),
    path("", include("bawaba.catalog.urls")),
    prefix_default_language=True,
)


def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files, in development only: just the kinds the catalogue stores, never sniffed as another.

    A production web server or object storage serving MEDIA_URL must do the same.
    """
    if PurePosixPath(path).suffix.lower().lstrip(".") not in MEDIA_FILE_EXTENSIONS:
        raise Http404
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["X-Content-Type-Options"] = "nosniff"
    return response


if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", media_serve)]
