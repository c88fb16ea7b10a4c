"""Endpoints of the phone_change flow."""

from ninja import Router

router = Router(tags=["Accounts"])
