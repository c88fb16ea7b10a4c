"""Endpoints of the signup flow."""

from ninja import Router

router = Router(tags=["Accounts"])
