"""Import problems: each says where (a JSON path or a CSV line) and why."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import ApplicationError


@dataclass(frozen=True)
class Problem:
    location: str
    message: str
    # The CSV line the problem is on, so problems can be listed in file order.
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class CatalogueImportFailed(ApplicationError):
    code = "catalogue_import_failed"
    default_message = _("The catalogue was not imported; nothing was changed.")

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(data={"problems": [{"location": p.location, "message": p.message} for p in problems]})

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
