"""Public JSON API, version 1: the service catalogue and departments.

Every error has the shape {"code", "message", "fields"} with the message in the requested language.
"""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bawaba.api import presenters, schemas
from bawaba.api.accounts import router as accounts_router
from bawaba.catalog import selectors
from bawaba.catalog.search import service_search
from bawaba.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES

Language = Literal["ar", "ckb", "en"]
PAGE_SIZE = 20
# Deep pages are never useful to people and huge offsets overflow the database; search narrows instead.
MAX_PAGE = 500
MAX_QUERY_LENGTH = 200

api = NinjaAPI(
    title="Bawaba API",
    version="1",
    description=(
        "The public catalogue of government services: search services, read a whole service guide, "
        "list departments. Texts come in Arabic (ar, the default), Central Kurdish (ckb) or English (en)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/accounts", accounts_router)

ERRORS: dict[int, type[schemas.Error]] = {400: schemas.Error, 404: schemas.Error}


def _request_language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "ar")
    return language if language in CONTENT_LANGUAGES else "ar"


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    with translation.override(_request_language(request)):
        return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a body that is not JSON, no session, a failed CSRF check) in our error shape."""
    with translation.override(_request_language(request)):
        if exc.status_code == 400:
            error: ApplicationError = ValidationFailed(_("The request body is not valid JSON."), code="invalid_body")
        elif exc.status_code == 401:
            error = ApplicationError(_("Please sign in first."), code="not_authenticated")
            error.status = 401
        elif exc.status_code == 403:
            error = PermissionDenied()
        else:
            error = ApplicationError(code="error")
            error.status = exc.status_code
        body = error.as_dict()
    return api.create_response(request, body, status=error.status)


@api.exception_handler(NinjaValidationError)
def parameter_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Ninja's 422 becomes our 400 with a readable message per parameter."""
    with translation.override(_request_language(request)):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            name = str(error.get("loc", ["", "?"])[-1])
            fields.setdefault(name, []).append(_parameter_message(name, error.get("type", "")))
        body = ValidationFailed(fields=fields).as_dict()
    return api.create_response(request, body, status=400)


def _parameter_message(name: str, error_type: str) -> str:
    if name == "lang":
        return _("Choose one of: ar, ckb, en.")
    if name == "page":
        return _("The page must be a whole number from 1 to 500.")
    if name == "q" and error_type == "string_too_long":
        return _("The search text is too long (at most 200 characters).")
    return _("This value is not valid.")


def _check_filters(department: str | None, category: str | None) -> None:
    fields: dict[str, list[str]] = {}
    if department and not selectors.department_exists(slug=department):
        fields["department"] = [_("There is no department with this slug.")]
    if category and not selectors.category_exists(slug=category):
        fields["category"] = [_("There is no category with this slug.")]
    if fields:
        raise ValidationFailed(fields=fields)


@api.get("/services", response={200: schemas.ServicePage, **ERRORS}, summary="Search or list services")
def list_services(
    request: HttpRequest,
    q: str = Query("", max_length=MAX_QUERY_LENGTH, description="Words to search for, in any of the three languages"),
    department: str | None = Query(None, description="Only services of this department (slug)"),
    category: str | None = Query(None, description="Only services in this category (slug)"),
    lang: Language = Query("ar", description="Language of the texts returned"),
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number; 20 services a page"),
) -> dict:
    # The messages are built here, before the error handler switches language: build them in the reader's.
    with translation.override(lang):
        _check_filters(department, category)
    query = q.strip()
    if query:
        found = service_search(
            query=query, language=lang, department=department, category=category, page=page, page_size=PAGE_SIZE
        )
        count, services = found.count, found.results
    else:
        listing = selectors.service_list(department=department, category=category)
        count = listing.count()
        services = list(listing[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"count": count, "results": [presenters.service_summary(request, s, lang) for s in services]}


@api.get("/services/{slug}", response={200: schemas.ServiceDetail, **ERRORS}, summary="A whole service guide")
def get_service(request: HttpRequest, slug: str, lang: Language = Query("ar")) -> dict:
    service = selectors.service_get(slug=slug)
    return presenters.service_detail(request, service, lang)


@api.get("/departments", response={200: schemas.DepartmentPage, **ERRORS}, summary="List departments")
def list_departments(
    request: HttpRequest,
    lang: Language = Query("ar"),
    kind: Literal["ministry", "independent_body", "governorate_office", "regional_ministry", "directorate"]
    | None = Query(None, description="Only departments of this kind"),
) -> dict:
    departments = list(selectors.department_list(kind=kind))
    return {"count": len(departments), "results": [presenters.department_item(request, d, lang) for d in departments]}


@api.get("/departments/{slug}", response={200: schemas.Department, **ERRORS}, summary="One department")
def get_department(request: HttpRequest, slug: str, lang: Language = Query("ar")) -> dict:
    department = selectors.department_get(slug=slug)
    department.service_count = selectors.service_list_for_department(department=department).count()  # type: ignore[attr-defined]
    return presenters.department_item(request, department, lang)
