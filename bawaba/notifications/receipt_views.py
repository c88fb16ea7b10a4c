"""Delivery receipts that HTTP gateways post back (being written: see providers/http_gateway.py)."""

from django.http import Http404, HttpRequest, HttpResponse


def http_receipt(request: HttpRequest, provider: str) -> HttpResponse:
    raise Http404
