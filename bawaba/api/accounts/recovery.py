"""Endpoints of the recovery flow."""

from ninja import Router

router = Router(tags=["Accounts"])
