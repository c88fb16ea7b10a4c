"""Pages that exist in development only (being written)."""

from django.http import Http404, HttpRequest, HttpResponse


def outbox(request: HttpRequest) -> HttpResponse:
    raise Http404
