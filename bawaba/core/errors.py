"""One error family for the whole portal: a machine code, a translatable message, and field details.

Every API renders it as {"code", "message", "fields"}; HTML views render it as a friendly page.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "error"
    status = 400
    default_message: str | Promise = _("Something went wrong.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.fields = fields or {}
        self.data = data or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class ValidationFailed(ApplicationError):
    code = "invalid"
    status = 400
    default_message = _("Some of the values given are not valid.")


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("We could not find what you asked for.")


class PermissionDenied(ApplicationError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")
